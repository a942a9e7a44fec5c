//! Filling in forms the way a person does: a field found by the words of
//! its label, an option by the words it shows, a link by its text.

use fantoccini::Locator;
use fantoccini::elements::Element;

use crate::harness::{Browser, xpath_literal};

/// The form control labelled `label`: by the `<label for>` whose visible
/// text is exactly `label`, or by its `aria-label`.
pub async fn field(b: &Browser, label: &str) -> Element {
    let l = xpath_literal(label);
    let xpath = format!(
        "//*[@id = //label[normalize-space()={l}]/@for] \
         | //*[self::input or self::select or self::textarea][@aria-label={l}]"
    );
    b.find_xpath(&xpath, &format!("field labelled {label:?}"))
        .await
}

/// Replaces what the field labelled `label` holds with `text`, typed.
pub async fn fill(b: &Browser, label: &str, text: &str) {
    let input = field(b, label).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Chooses the option showing `option` in the list labelled `label`.
pub async fn choose(b: &Browser, label: &str, option: &str) {
    let select = field(b, label).await;
    let xpath = format!(".//option[normalize-space()={}]", xpath_literal(option));
    select
        .select_by(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no option {option:?} in {label:?}: {e}"));
}

/// The words of the option chosen in the list labelled `label`.
pub async fn chosen(b: &Browser, label: &str) -> String {
    let select = field(b, label).await;
    let option = select
        .find(Locator::Css("option:checked"))
        .await
        .unwrap_or_else(|e| panic!("nothing chosen in {label:?}: {e}"));
    option.text().await.unwrap().trim().to_string()
}

/// Ticks the checkbox labelled `label` (leaves it ticked if it was).
pub async fn tick(b: &Browser, label: &str) {
    let checkbox = field(b, label).await;
    if !checkbox.is_selected().await.unwrap() {
        checkbox.click().await.unwrap();
    }
    assert!(checkbox.is_selected().await.unwrap(), "{label:?} is ticked");
}

/// Picks the radio button `choice` in the group whose legend is `group`.
pub async fn pick(b: &Browser, group: &str, choice: &str) {
    let xpath = format!(
        "//fieldset[legend[normalize-space()={}]]//label[normalize-space()={}]//input[@type='radio']",
        xpath_literal(group),
        xpath_literal(choice)
    );
    let radio = b
        .find_xpath(&xpath, &format!("{choice:?} in {group:?}"))
        .await;
    radio.click().await.unwrap();
    assert!(radio.is_selected().await.unwrap(), "{choice:?} is picked");
}

/// Sets the value of the field labelled `label` directly. Only for date and
/// time inputs: what their segments accept when typed depends on the
/// browser's locale, which is not what these tests are about.
pub async fn set_date_time(b: &Browser, label: &str, value: &str) {
    let input = field(b, label).await;
    let args = vec![
        serde_json::to_value(&input).unwrap(),
        serde_json::Value::from(value),
    ];
    b.client
        .execute(
            "arguments[0].value = arguments[1]; \
             arguments[0].dispatchEvent(new Event('input', { bubbles: true })); \
             arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            args,
        )
        .await
        .unwrap();
}

/// Clicks the link whose visible text is exactly `text`, without waiting
/// for a new page (a download leaves the page where it is).
pub async fn click_link(b: &Browser, text: &str) {
    let xpath = format!("//a[normalize-space()={}]", xpath_literal(text));
    b.find_xpath(&xpath, &format!("link {text:?}"))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {text:?}: {e}"));
}
