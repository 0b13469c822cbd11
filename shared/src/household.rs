//! Household members as the home-visit form records them.

use crate::national_id::NationalId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Labour capacity as the monitoring forms classify it. The seeds name 弱劳力、半劳力,
/// 无劳动力 and 丧失(主要)劳动力 (000 三(一)2 and 6); 技能劳动力 is the national
/// system's category for a labourer with a trade. Decided here (no seed weighs them):
/// a skilled labourer counts as one labourer, one who lost the ability to work as none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LabourCapacity {
    /// 普通劳动力
    Full,
    /// 技能劳动力
    Skilled,
    /// 弱劳力 or 半劳力
    Partial,
    /// 丧失劳动力: lost to illness, injury or disability
    Lost,
    /// 无劳动力: never of working capacity (children, the very old)
    None,
}

impl LabourCapacity {
    /// Every category, in the order forms list them.
    pub const ALL: [LabourCapacity; 5] = [
        LabourCapacity::Full,
        LabourCapacity::Skilled,
        LabourCapacity::Partial,
        LabourCapacity::Lost,
        LabourCapacity::None,
    ];

    /// Contribution to the labour coefficient, in tenths.
    fn tenths(self) -> u32 {
        match self {
            LabourCapacity::Full | LabourCapacity::Skilled => 10,
            LabourCapacity::Partial => 5,
            LabourCapacity::Lost | LabourCapacity::None => 0,
        }
    }

    /// Whether the member can work at all (a weak or half labourer can).
    pub fn works(self) -> bool {
        self.tenths() > 0
    }

    /// Whether the member is a whole labourer (普通 or 技能).
    pub fn is_whole(self) -> bool {
        self.tenths() == 10
    }

    /// The name on the wire and in forms (`"full"`, `"lost"`…).
    pub fn code(self) -> &'static str {
        match self {
            LabourCapacity::Full => "full",
            LabourCapacity::Skilled => "skilled",
            LabourCapacity::Partial => "partial",
            LabourCapacity::Lost => "lost",
            LabourCapacity::None => "none",
        }
    }

    pub fn from_code(code: &str) -> Option<LabourCapacity> {
        LabourCapacity::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn label(self) -> crate::Text {
        let (zh, en) = match self {
            LabourCapacity::Full => ("普通劳动力", "labourer"),
            LabourCapacity::Skilled => ("技能劳动力", "skilled labourer"),
            LabourCapacity::Partial => ("弱劳力/半劳力", "weak or half labourer"),
            LabourCapacity::Lost => ("丧失劳动力", "lost the ability to work"),
            LabourCapacity::None => ("无劳动力", "no labour"),
        };
        crate::Text::new(zh, en)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    /// 长期慢性病
    Chronic,
    /// 大病重病
    Serious,
}

/// Current schooling, for the non-compulsory-education flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Schooling {
    Preschool,
    /// 义务教育: primary and junior secondary
    Compulsory,
    /// 普通高中
    HighSchool,
    /// 中职/技工
    Vocational,
    /// 高等教育
    Higher,
}

impl Schooling {
    pub fn is_non_compulsory(self) -> bool {
        !matches!(self, Schooling::Compulsory)
    }
}

/// 与户主关系, as household registers group it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// 户主
    Head,
    /// 配偶
    Spouse,
    /// 子女
    Child,
    /// 儿媳、女婿
    ChildInLaw,
    /// 孙子女
    Grandchild,
    /// 父母
    Parent,
    /// 祖父母
    Grandparent,
    /// 兄弟姐妹
    Sibling,
    /// 其他
    Other,
}

impl Relationship {
    pub const ALL: [Relationship; 9] = [
        Relationship::Head,
        Relationship::Spouse,
        Relationship::Child,
        Relationship::ChildInLaw,
        Relationship::Grandchild,
        Relationship::Parent,
        Relationship::Grandparent,
        Relationship::Sibling,
        Relationship::Other,
    ];

    /// The name on the wire and in forms.
    pub fn code(self) -> &'static str {
        match self {
            Relationship::Head => "head",
            Relationship::Spouse => "spouse",
            Relationship::Child => "child",
            Relationship::ChildInLaw => "child_in_law",
            Relationship::Grandchild => "grandchild",
            Relationship::Parent => "parent",
            Relationship::Grandparent => "grandparent",
            Relationship::Sibling => "sibling",
            Relationship::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Relationship> {
        Relationship::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> crate::Text {
        let (zh, en) = match self {
            Relationship::Head => ("户主", "head of household"),
            Relationship::Spouse => ("配偶", "spouse"),
            Relationship::Child => ("子女", "child"),
            Relationship::ChildInLaw => ("儿媳/女婿", "child-in-law"),
            Relationship::Grandchild => ("孙子女", "grandchild"),
            Relationship::Parent => ("父母", "parent"),
            Relationship::Grandparent => ("祖父母", "grandparent"),
            Relationship::Sibling => ("兄弟姐妹", "sibling"),
            Relationship::Other => ("其他", "other"),
        };
        crate::Text::new(zh, en)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::GivenName))]
    pub name: String,
    #[serde(default)]
    pub national_id: Option<NationalId>,
    /// 与户主关系 (not asked on older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Not after the visit's date.
    pub birth_date: NaiveDate,
    pub labour: LabourCapacity,
    pub health: Health,
    /// 一、二级 (004 writes "一、二类") 重度残疾, or 三、四级智力/精神残疾 (004, 残联).
    #[serde(default)]
    pub severe_disability: bool,
    /// 失能老年人
    #[serde(default)]
    pub disabled_elderly: bool,
    #[serde(default)]
    pub schooling: Option<Schooling>,
    /// A legal guardian (for minors) or supporter (for the elderly) exists.
    #[serde(default = "yes")]
    pub has_guardian_or_supporter: bool,
}

fn yes() -> bool {
    true
}

impl Member {
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        on.years_since(self.birth_date).unwrap_or(0)
    }
}

/// 家庭劳动力系数 in tenths: a full labourer counts 1, a weak or half labourer 0.5.
/// "≤0.5" then reads as the text explains it: no labour, or only one weak/half labourer.
pub fn labour_coefficient_tenths(members: &[Member]) -> u32 {
    members.iter().map(|m| m.labour.tenths()).sum()
}
