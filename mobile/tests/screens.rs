//! Component tests: the screens rendered by a real VirtualDom to HTML (dioxus-ssr).

#![allow(clippy::unwrap_used, non_snake_case)] // test code; components are PascalCase

use chrono::NaiveDate;
use dioxus::prelude::*;
use zaofaxian_mobile::report_form::{Action, ReportDraft, reduce};
use zaofaxian_mobile::status::StatusView;
use zaofaxian_mobile::sync::SyncState;
use zaofaxian_mobile::ui::{CadreQueue, CaseStatusCard, QueueRow, ReportWizard, SyncBadge};
use zaofaxian_shared::report::Hardship;
use zaofaxian_shared::{Lang, Text};

fn today() -> NaiveDate {
    "2025-11-03".parse().unwrap()
}

#[derive(Props, Clone, PartialEq)]
struct WizardHost {
    draft: ReportDraft,
    lang: Lang,
}

fn Host(p: WizardHost) -> Element {
    let draft = use_signal(|| p.draft.clone());
    rsx! { ReportWizard { draft, today: today(), lang: p.lang, on_submit: move |_| {} } }
}

fn render_wizard(draft: ReportDraft, lang: Lang) -> String {
    let mut dom = VirtualDom::new_with_props(Host, WizardHost { draft, lang });
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

fn draft() -> ReportDraft {
    ReportDraft::new("530402001001".parse().unwrap())
}

#[test]
fn the_first_step_offers_every_hardship_as_a_big_button_in_chinese() {
    let html = render_wizard(draft(), Lang::Zh);
    assert!(html.contains("发生了什么困难？"), "{html}");
    for h in Hardship::ALL {
        assert!(html.contains(&h.label().zh), "{} missing", h.label().zh);
    }
    assert_eq!(html.matches("choice big").count(), 8);
    assert!(!html.contains("上一步"), "no back button on the first step");
    let en = render_wizard(draft(), Lang::En);
    assert!(en.contains("What happened?") && en.contains("school costs"));
}

#[test]
fn each_step_shows_its_question_and_errors_are_announced() {
    let d = reduce(draft(), Action::Pick(Hardship::Disaster), today());
    let html = render_wizard(d.clone(), Lang::Zh);
    assert!(
        html.contains("什么时候发生的？") && html.contains("max=\"2025-11-03\""),
        "{html}"
    );
    assert!(
        html.contains("今天") && html.contains("昨天") && html.contains("前天"),
        "one-tap dates: {html}"
    );
    let d = reduce(d, Action::Next, today());
    let html = render_wizard(d.clone(), Lang::Zh);
    assert!(
        html.contains("role=\"alert\"") && html.contains("请选择发生的日期"),
        "{html}"
    );
    let d = reduce(d, Action::Date("2025-10-30".parse().unwrap()), today());
    let d = reduce(d, Action::Next, today());
    assert!(render_wizard(d.clone(), Lang::Zh).contains("户主姓名"));
    let d = reduce(reduce(d, Action::Name("王秀英".into()), today()), Action::Next, today());
    let html = render_wizard(d.clone(), Lang::Zh);
    assert!(
        html.contains("请确认") && html.contains("因灾") && html.contains("王秀英") && html.contains("提交申报"),
        "{html}"
    );
    let html = render_wizard(reduce(d, Action::Saved, today()), Lang::Zh);
    assert!(html.contains("已保存，有信号时会自动上传"));
}

#[test]
fn sync_badge_and_case_card() {
    let html = dioxus_ssr::render_element(
        rsx! { SyncBadge { state: SyncState::Sending { done: 2, total: 5 }, lang: Lang::Zh } },
    );
    assert!(html.contains("正在上传 2/5") && html.contains("sync sending"), "{html}");
    let failed = SyncState::Failed {
        why: Text::new("网络不可用", "no network"),
        pending: 3,
    };
    let html = dioxus_ssr::render_element(rsx! { SyncBadge { state: failed, lang: Lang::En } });
    assert!(html.contains("sending failed (no network); 3 will retry"), "{html}");
    let view = StatusView {
        stage: "待入户核实".into(),
        deadline: Some("入户核实期限：2025-10-14（已超期2个工作日）".into()),
        overdue: true,
    };
    let html = dioxus_ssr::render_element(rsx! { CaseStatusCard { view, lang: Lang::Zh } });
    assert!(
        html.contains("case overdue") && html.contains("已超期2个工作日"),
        "{html}"
    );
}

#[test]
fn the_cadre_queue_marks_overdue_rows() {
    let rows = vec![
        QueueRow {
            case_id: "a".into(),
            household_name: "李四".into(),
            stage_label: "待入户核实".into(),
            due: Some("2025-11-10".into()),
            days_left: Some(-2),
            overdue: true,
        },
        QueueRow {
            case_id: "b".into(),
            household_name: "王五".into(),
            stage_label: "公示中".into(),
            due: Some("2025-11-19".into()),
            days_left: Some(5),
            overdue: false,
        },
    ];
    let html = dioxus_ssr::render_element(rsx! { CadreQueue { rows: rows.clone(), lang: Lang::Zh } });
    assert!(html.contains("待办核实") && html.contains("(2)"), "{html}");
    let li = html.find("row overdue").unwrap();
    assert!(
        li < html.find("王五").unwrap(),
        "rows keep the server's overdue-first order"
    );
    assert!(html.contains("超期2个工作日") && html.contains("还剩5个工作日"));
    let en = dioxus_ssr::render_element(rsx! { CadreQueue { rows, lang: Lang::En } });
    assert!(en.contains("2 working days overdue"));
}

/// The whole app over a real offline store: header, sync state, the household's own
/// case from the store, and the first report step.
#[test]
fn the_app_renders_the_household_screen_from_the_store() {
    use std::sync::{Arc, Mutex};
    use zaofaxian_mobile::app::{App, AppContext};
    use zaofaxian_mobile::local_store::LocalStore;
    use zaofaxian_shared::lifecycle::{Channel, Ctx, open};
    use zaofaxian_shared::{Calendar, Clock, Policy, Role, SystemClock};

    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("app.sqlite")).unwrap();
    let ctx = Ctx {
        actor: Role::Household,
        today: SystemClock.today(),
        calendar: Calendar::national(),
        profile: Policy::embedded().profile("yuxi-2021").unwrap(),
    };
    let state = open(Channel::SelfReport, &ctx).unwrap();
    store
        .upsert_case("c1", &serde_json::json!({ "id": "c1", "state": state }))
        .unwrap();
    store.enqueue("report", &serde_json::json!({})).unwrap();
    let app_ctx = AppContext {
        store: Arc::new(Mutex::new(store)),
        village: "530402001001".parse().unwrap(),
    };
    let mut dom = VirtualDom::new(App).with_root_context(app_ctx);
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    assert!(html.contains("早发现 · 防返贫监测"), "{html}");
    assert!(html.contains("等待上传：1条"), "the outbox count shows: {html}");
    assert!(html.contains("我的申报") && html.contains("待入户核实"), "{html}");
    assert!(html.contains("发生了什么困难？"));
    assert!(html.contains("村干部"), "the cadre mode is one tap away");
}

#[derive(Props, Clone, PartialEq)]
struct SheetHost {
    form: zaofaxian_mobile::worksheet_form::WorksheetForm,
}

fn SheetApp(p: SheetHost) -> Element {
    let form = use_signal(|| p.form.clone());
    rsx! {
        zaofaxian_mobile::ui::IncomeWorksheet { form, today: today(), threshold: Ok(zaofaxian_shared::Fen::yuan(8700)), lang: Lang::Zh }
    }
}

#[test]
fn the_worksheet_shows_live_totals_and_the_threshold_line() {
    let mut form = zaofaxian_mobile::worksheet_form::WorksheetForm::default();
    form.set("household_size", "3".into());
    form.set("away_months", "10".into());
    form.set("away_monthly_wage", "2400".into());
    form.set("minimum_allowance", "1800".into());
    let mut dom = VirtualDom::new_with_props(SheetApp, SheetHost { form: form.clone() });
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    assert!(html.contains("家庭收入核算") && html.contains("低保金"), "{html}");
    assert!(html.contains("25800.00") && html.contains("8600.00"), "{html}");
    assert!(
        html.contains("threshold at-risk") && html.contains("低于监测底线8700.00元"),
        "{html}"
    );
    form.set("pension", "abc".into());
    let mut dom = VirtualDom::new_with_props(SheetApp, SheetHost { form });
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    assert!(
        html.contains("field invalid") && html.contains("养老金：请填写金额"),
        "{html}"
    );
}
