//! The county's joint review before it determines a household (县级联审).
//!
//! 004 三(六): "组织教育、公安、民政、财政、人社、自然资源、住建、农业农村、卫健、市场监管、
//! 林草、医保、统计（调查）、残联、人民银行等部门复核家庭资产信息和基本信息，核准户口、房产、
//! 车辆、国家公职人员、经营实体、健康状况、就学情况、外出务工、家庭成员关系等重点信息".
//! The nine items are the seed's; it names the departments as a group, not per item, so
//! the forms list the items and the departments once.

use crate::text::Text;

/// One item the departments verify: a stable key (form field, record) and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JointCheck {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl JointCheck {
    pub fn label(&self) -> Text {
        Text::new(self.zh, self.en)
    }
}

/// The nine key items of 004 三(六), in the seed's order.
pub const JOINT_CHECKS: [JointCheck; 9] = [
    JointCheck {
        key: "hukou",
        zh: "户口",
        en: "household register",
    },
    JointCheck {
        key: "property",
        zh: "房产",
        en: "property",
    },
    JointCheck {
        key: "vehicles",
        zh: "车辆",
        en: "vehicles",
    },
    JointCheck {
        key: "public_servants",
        zh: "国家公职人员",
        en: "public servants",
    },
    JointCheck {
        key: "businesses",
        zh: "经营实体",
        en: "businesses",
    },
    JointCheck {
        key: "health",
        zh: "健康状况",
        en: "health",
    },
    JointCheck {
        key: "schooling",
        zh: "就学情况",
        en: "schooling",
    },
    JointCheck {
        key: "migrant_work",
        zh: "外出务工",
        en: "work away from home",
    },
    JointCheck {
        key: "relations",
        zh: "家庭成员关系",
        en: "family relations",
    },
];

/// The departments 004 三(六) names for the review.
pub const DEPARTMENTS_ZH: &str = "教育、公安、民政、财政、人社、自然资源、住建、农业农村、卫健、市场监管、林草、医保、统计（调查）、残联、人民银行等部门";

/// Whether the items checked are all nine (the determination needs every one).
pub fn all_done<'a>(checked: impl IntoIterator<Item = &'a str>) -> bool {
    let checked: Vec<&str> = checked.into_iter().collect();
    JOINT_CHECKS.iter().all(|c| checked.contains(&c.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nine_items_of_the_seed_all_count() {
        let keys: Vec<&str> = JOINT_CHECKS.iter().map(|c| c.key).collect();
        assert!(all_done(keys.iter().copied()));
        assert!(!all_done(keys[..8].iter().copied()), "one missing");
        let zh: Vec<&str> = JOINT_CHECKS.iter().map(|c| c.zh).collect();
        assert_eq!(
            zh.join("、"),
            "户口、房产、车辆、国家公职人员、经营实体、健康状况、就学情况、外出务工、家庭成员关系"
        );
    }
}
