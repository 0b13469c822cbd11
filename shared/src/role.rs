//! Who acts in the system.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 农户: the household itself (or the person filing on its behalf).
    Household,
    /// 村干部
    VillageCadre,
    /// 驻村工作队员
    WorkTeam,
    /// 乡(镇)
    Township,
    /// 县(市、区)乡村振兴部门
    County,
    /// 行业部门 (medical insurance, civil affairs, housing…)
    Department,
    /// Account administration only: admins do not act on cases.
    Admin,
    /// Time-driven steps the server takes itself (a notice period ending).
    System,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Household,
        Role::VillageCadre,
        Role::WorkTeam,
        Role::Township,
        Role::County,
        Role::Department,
        Role::Admin,
        Role::System,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Household => "农户",
            Role::VillageCadre => "村干部",
            Role::WorkTeam => "驻村工作队",
            Role::Township => "乡镇",
            Role::County => "县级乡村振兴部门",
            Role::Department => "行业部门",
            Role::Admin => "系统管理员",
            Role::System => "系统",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Household => "household",
            Role::VillageCadre => "village cadre",
            Role::WorkTeam => "village work team",
            Role::Township => "township",
            Role::County => "county rural revitalisation bureau",
            Role::Department => "department",
            Role::Admin => "administrator",
            Role::System => "system",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.label_zh())
    }
}
