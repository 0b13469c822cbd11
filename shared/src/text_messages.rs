//! The words of every text message beyond sign-in codes, as SMS templates: fixed words
//! with short variables. Tencent Cloud SMS takes at most 6 characters in a variable of
//! a non-code template and no template that is all variable (its SMS FAQ,
//! cloud.tencent.com/document/product/382/13301), so a text counts and names one
//! household; the app's lists say the rest. The operator registers each template once
//! (README, 提醒与督办) and gives its id in `ZAOFAXIAN_SMS_NOTICE_TEMPLATES`.

use serde::{Deserialize, Serialize};

/// The most characters a variable may hold (any character counts as one).
pub const MAX_VARIABLE_CHARS: usize = 6;

/// One kind of text: one template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextKind {
    /// A staff member's morning digest: own steps due soon or late.
    Digest,
    /// A morning digest without own steps: 督办 notes and late steps below.
    DigestBelow,
    /// A township's monthly report reminder.
    ReportDue,
    /// Households: the home visit is done.
    Verified,
    /// Households: the case is posted, with the notice's last day.
    InNotice,
    /// Households: monitored, with the person to call.
    Monitored,
    /// Households: an assistance measure was recorded.
    Assistance,
    /// Households: the risk is eliminated.
    Eliminated,
}

impl TextKind {
    pub const ALL: [TextKind; 8] = [
        TextKind::Digest,
        TextKind::DigestBelow,
        TextKind::ReportDue,
        TextKind::Verified,
        TextKind::InNotice,
        TextKind::Monitored,
        TextKind::Assistance,
        TextKind::Eliminated,
    ];

    /// The name an operator gives the template's id under (`digest=1234567,…`).
    pub fn name(self) -> &'static str {
        match self {
            TextKind::Digest => "digest",
            TextKind::DigestBelow => "digest_below",
            TextKind::ReportDue => "report_due",
            TextKind::Verified => "verified",
            TextKind::InNotice => "in_notice",
            TextKind::Monitored => "monitored",
            TextKind::Assistance => "assistance",
            TextKind::Eliminated => "eliminated",
        }
    }

    pub fn from_name(name: &str) -> Option<TextKind> {
        TextKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The template's words as registered with the provider; `{1}`, `{2}` … are its
    /// variables. The signature (签名) is the provider's to add.
    pub fn template(self) -> &'static str {
        match self {
            TextKind::Digest => {
                "您有{1}户事项今天或下个工作日到期、{2}户已超期，含{3}家。上级督办{4}条，下级超期{5}户。请在早发现应用中查看处理。"
            }
            TextKind::DigestBelow => "上级督办{1}条，下级超期{2}户，请在早发现应用中查看处理。",
            TextKind::ReportDue => "{1}月防返贫监测月报{2}到期，请按时上报。",
            TextKind::Verified => {
                "您家申报的困难已入户核实完毕，后续进展可在早发现应用中查看，也可向村委会询问。咨询电话12317。"
            }
            TextKind::InNotice => "您家的情况正在村里公示，{1}公示结束，有意见可向村委会反映。咨询电话12317。",
            TextKind::Monitored => {
                "您家已纳入防返贫监测，联系人：{1}，电话可在早发现应用中查看。有困难请随时联系。咨询电话12317。"
            }
            TextKind::Assistance => {
                "您家的帮扶措施已登记，措施和帮扶责任人可在早发现应用中查看，也可向村委会询问。咨询电话12317。"
            }
            TextKind::Eliminated => "经评估，您家的返贫风险已消除。以后再有困难，可以随时再次申报。咨询电话12317。",
        }
    }

    /// How many variables the template has.
    pub fn variables(self) -> usize {
        (1..=9)
            .take_while(|i| self.template().contains(&format!("{{{i}}}")))
            .count()
    }
}

/// A text to send: its template and the values of its variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    pub kind: TextKind,
    pub params: Vec<String>,
}

impl TextMessage {
    /// A text of `kind`; each value is cut to [`MAX_VARIABLE_CHARS`], and an empty one
    /// (a provider refuses it) becomes "—".
    pub fn new(kind: TextKind, params: impl IntoIterator<Item = String>) -> TextMessage {
        let params = params
            .into_iter()
            .map(|p| {
                let p: String = p.trim().chars().take(MAX_VARIABLE_CHARS).collect();
                if p.is_empty() { "—".to_string() } else { p }
            })
            .collect();
        TextMessage { kind, params }
    }

    /// The text as the person reads it (without the signature).
    pub fn body(&self) -> String {
        let mut body = self.kind.template().to_string();
        for (i, p) in self.params.iter().enumerate() {
            body = body.replace(&format!("{{{}}}", i + 1), p);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_fixed_words_and_numbered_variables() {
        for k in TextKind::ALL {
            let t = k.template();
            assert_eq!(TextKind::from_name(k.name()), Some(k));
            // Not all variable: most of it fixed words.
            let fixed = (1..=9).fold(t.to_string(), |s, i| s.replace(&format!("{{{i}}}"), ""));
            assert!(fixed.chars().count() >= 15, "{t}");
            assert!(
                !fixed.contains('{') && !fixed.contains('}'),
                "{t}: variables are numbered from 1"
            );
            assert!(t.len() < 500, "{t}");
        }
        // Households are always given the hotline.
        for k in [
            TextKind::Verified,
            TextKind::InNotice,
            TextKind::Monitored,
            TextKind::Assistance,
            TextKind::Eliminated,
        ] {
            assert!(k.template().contains(crate::household_words::HELPLINE), "{k:?}");
        }
        assert_eq!(TextKind::Digest.variables(), 5);
        assert_eq!(TextKind::Verified.variables(), 0);
    }

    #[test]
    fn values_are_cut_to_six_characters_and_never_empty() {
        let m = TextMessage::new(TextKind::Monitored, ["欧阳娜娜娜娜娜".to_string()]);
        assert_eq!(m.params, ["欧阳娜娜娜娜"]);
        let m = TextMessage::new(TextKind::Monitored, [" ".to_string()]);
        assert_eq!(m.params, ["—"]);
        let m = TextMessage::new(TextKind::InNotice, ["11月10日".to_string()]);
        assert_eq!(
            m.body(),
            "您家的情况正在村里公示，11月10日公示结束，有意见可向村委会反映。咨询电话12317。"
        );
    }

    #[test]
    fn the_readme_lists_every_template_as_it_is() {
        let readme = include_str!("../../README.md");
        for k in TextKind::ALL {
            let line = format!("| `{}` | {} |", k.name(), k.template());
            assert!(readme.contains(&line), "README lacks: {line}");
        }
    }
}
