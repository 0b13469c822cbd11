//! Component tests: the screens rendered by a real VirtualDom to HTML (dioxus-ssr).

#![allow(clippy::unwrap_used, non_snake_case)] // test code; components are PascalCase

use chrono::NaiveDate;
use dioxus::prelude::*;
use zaofaxian_mobile::report_form::{Action, ReportDraft, reduce};
use zaofaxian_mobile::status::StatusView;
use zaofaxian_mobile::sync::SyncState;
use zaofaxian_mobile::ui::{CadreQueue, CaseStatusCard, QueueRow, ReportWizard, RowAction, SyncBadge};
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
    rsx! { ReportWizard { draft, today: today(), village_name: Some("某村".to_string()), lang: p.lang, on_submit: move |_| {} } }
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
        html.contains("什么时候发生的？") && html.contains("2025年11月"),
        "{html}"
    );
    // A month of days to tap, the future ones not offered; back a month in one tap.
    assert_eq!(html.matches("class=\"day\"").count(), 30, "{html}");
    assert_eq!(
        html.matches("class=\"day\" disabled=true").count(),
        27,
        "4–30 November lie after today: {html}"
    );
    assert!(html.contains("上个月") && html.contains("下个月"), "{html}");
    let back = reduce(d.clone(), Action::ShowMonth(2025, 8), today());
    let html = render_wizard(back, Lang::Zh);
    assert!(html.contains("2025年8月"), "{html}");
    assert_eq!(html.matches("class=\"day\"").count(), 31, "{html}");
    assert!(
        !html.contains("disabled=true"),
        "every August day can be chosen, and next month too: {html}"
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
    // A tapped date answers the step and goes on.
    let d = reduce(d, Action::Date("2025-10-30".parse().unwrap()), today());
    let html = render_wizard(d.clone(), Lang::Zh);
    assert!(
        html.contains("户主姓名") && html.contains("受了什么灾"),
        "words for a disaster: {html}"
    );
    assert!(
        html.contains("<textarea") && html.contains("情况说明"),
        "a place to say what happened: {html}"
    );
    let d = reduce(
        reduce(d, Action::Name("王秀英".into()), today()),
        Action::Description("房屋倒塌".into()),
        today(),
    );
    let d = reduce(d, Action::Next, today());
    let html = render_wizard(d.clone(), Lang::Zh);
    assert!(html.contains("请确认") && html.contains("提交申报"), "{html}");
    for fact in [
        "<dt>困难</dt><dd>因灾</dd>",
        "<dt>户主</dt><dd>王秀英</dd>",
        "<dt>所在村</dt><dd>某村</dd>",
        "<dt>情况说明</dt><dd>房屋倒塌</dd>",
    ] {
        assert!(html.contains(fact), "{fact} in the confirmation: {html}");
    }
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
        next: "村里会派人到您家了解情况".into(),
        stage: "待入户核实".into(),
        deadline: Some("入户核实期限：2025-10-14（已超期2个工作日）".into()),
        provisional: None,
        overdue: true,
        reason: None,
    };
    let html = dioxus_ssr::render_element(rsx! { CaseStatusCard { view, lang: Lang::Zh } });
    assert!(
        html.contains("case overdue") && html.contains("已超期2个工作日"),
        "{html}"
    );
    assert!(!html.contains("provisional"), "{html}");
    // A provisional date carries its reason on the card.
    let view = StatusView {
        next: "村里会派人到您家了解情况".into(),
        stage: "待入户核实".into(),
        deadline: Some("入户核实期限：2027-01-04（暂定）（还有4个工作日）".into()),
        provisional: Some("暂定：2027年节假日安排尚未导入，仅按周六、周日休息计算".into()),
        overdue: false,
        reason: None,
    };
    let html = dioxus_ssr::render_element(rsx! { CaseStatusCard { view, lang: Lang::Zh } });
    assert!(
        html.contains("（暂定）") && html.contains("class=\"provisional\""),
        "{html}"
    );
    // 内蒙古 四(一)7 "及时向农牧户反馈原因": a refused household reads why.
    let view = StatusView {
        next: "村里会派人到您家了解情况".into(),
        stage: "不予纳入".into(),
        deadline: None,
        provisional: None,
        overdue: false,
        reason: Some("家中有人为财政供养人员".into()),
    };
    let html = dioxus_ssr::render_element(rsx! { CaseStatusCard { view, lang: Lang::Zh } });
    assert!(
        html.contains("原因：") && html.contains("家中有人为财政供养人员"),
        "{html}"
    );
}

/// What happens next, the help decided and whom to call, on the household's card.
#[test]
fn the_case_card_says_what_comes_next_the_help_and_whom_to_call() {
    use zaofaxian_shared::wire::{AssistanceNote, Contact, HouseholdFacing};
    let view = StatusView {
        stage: "监测帮扶中".into(),
        next: "您家已纳入监测，会得到帮扶。".into(),
        deadline: None,
        provisional: None,
        overdue: false,
        reason: None,
    };
    let facing = HouseholdFacing {
        contact: Some(Contact {
            name: "李村长".into(),
            phone: Some("13900001111".into()),
        }),
        assistance: vec![AssistanceNote {
            on: "2025-11-20".parse().unwrap(),
            text: "健康帮扶，责任人：李村长".into(),
        }],
    };
    let html = dioxus_ssr::render_element(rsx! { CaseStatusCard { view: view.clone(), facing, lang: Lang::Zh } });
    assert!(html.contains("接下来：您家已纳入监测"), "{html}");
    assert!(html.contains("2025-11-20 健康帮扶，责任人：李村长"), "{html}");
    assert!(
        html.contains("联系人：李村长") && html.contains("href=\"tel:13900001111\""),
        "{html}"
    );
    assert!(html.contains("href=\"tel:12317\""), "the helpline, one tap: {html}");
    // Before a sync there is nobody to name, and the helpline still shows.
    let html = dioxus_ssr::render_element(rsx! { CaseStatusCard { view, lang: Lang::Zh } });
    assert!(!html.contains("联系人") && html.contains("tel:12317"), "{html}");
}

#[derive(Props, Clone, PartialEq)]
struct QueueHost {
    rows: Vec<QueueRow>,
    lang: Lang,
}

fn QueueApp(p: QueueHost) -> Element {
    rsx! { CadreQueue { rows: p.rows.clone(), lang: p.lang, on_open: move |_| {} } }
}

fn render_queue(rows: Vec<QueueRow>, lang: Lang) -> String {
    let mut dom = VirtualDom::new_with_props(QueueApp, QueueHost { rows, lang });
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

#[test]
fn the_cadre_queue_marks_overdue_rows() {
    let rows = vec![
        QueueRow {
            case_id: "a".into(),
            household_name: "李四".into(),
            stage_label: "待入户核实".into(),
            hardship: Some("因病".into()),
            happened_on: Some("2025-11-01".parse().unwrap()),
            phone: Some("13812345678".into()),
            group: Some("3组".into()),
            due: Some("2025-11-10".into()),
            days_left: Some(-2),
            overdue: true,
            action: RowAction::Verify,
        },
        QueueRow {
            case_id: "b".into(),
            household_name: "王五".into(),
            stage_label: "公示中".into(),
            hardship: None,
            happened_on: None,
            phone: None,
            group: None,
            due: Some("2025-11-19".into()),
            days_left: Some(5),
            overdue: false,
            action: RowAction::for_stage(zaofaxian_shared::Stage::InNotice),
        },
    ];
    let html = render_queue(rows.clone(), Lang::Zh);
    assert!(html.contains("待办 (2)"), "{html}");
    assert!(
        html.contains("因病") && html.contains("发生于 2025-11-01") && html.contains("href=\"tel:13812345678\""),
        "{html}"
    );
    // The visit is offered where it is the next step, and only there.
    assert_eq!(html.matches(">入户核实<").count(), 1, "{html}");
    assert!(html.contains("公示中，期满后进入下一环节"), "{html}");
    let li = html.find("row overdue").unwrap();
    assert!(
        li < html.find("王五").unwrap(),
        "rows keep the server's overdue-first order"
    );
    assert!(html.contains("超期2个工作日") && html.contains("还剩5个工作日"));
    assert!(
        html.contains("<span class=\"group\">3组</span>"),
        "the group on the row: {html}"
    );
    let en = render_queue(rows, Lang::En);
    assert!(en.contains("2 working days overdue"));
}

/// The whole app over a real store: who is signed in decides the screen.
fn render_app(session: Option<zaofaxian_mobile::local_store::Session>) -> String {
    render_app_with(session, |_| {})
}

/// The whole app over a store prepared by `prepare` (as a previous run left it).
fn render_app_with(
    session: Option<zaofaxian_mobile::local_store::Session>,
    prepare: impl FnOnce(&zaofaxian_mobile::local_store::LocalStore),
) -> String {
    use std::sync::Arc;
    use zaofaxian_mobile::app::{App, AppContext};
    use zaofaxian_mobile::local_store::LocalStore;
    use zaofaxian_mobile::location::ManualLocation;
    use zaofaxian_shared::lifecycle::{Channel, Ctx, open};
    use zaofaxian_shared::{Calendar, Clock, Policy, Role, SystemClock};

    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("app.sqlite")).unwrap();
    let ctx = Ctx {
        actor: Role::Household,
        today: SystemClock.today(),
        calendar: Calendar::national(),
        profile: Policy::embedded().profile("yuxi-2021").unwrap(),
        evidence: None,
    };
    let state = open(Channel::SelfReport, &ctx).unwrap();
    store
        .upsert_case(
            "c1",
            &serde_json::json!({ "id": "c1", "division": "530402001001", "profile_id": "yuxi-2021", "state": state,
                                 "report": { "household_name": "王秀英", "national_id": "11010519491231002X" } }),
        )
        .unwrap();
    store
        .enqueue(zaofaxian_shared::wire::RecordKind::Report, &serde_json::json!({}))
        .unwrap();
    if let Some(s) = &session {
        store.set_session(s).unwrap();
    }
    prepare(&store);
    let app_ctx = AppContext {
        store: zaofaxian_mobile::store_api::StoreHandle::native(store),
        village: "530402001001".parse().unwrap(),
        village_name: Some("某村".into()),
        data_dir: dir.path().to_path_buf(),
        location: Arc::new(ManualLocation(None)),
        default_server: "http://127.0.0.1:9".into(),
    };
    let mut dom = VirtualDom::new(App).with_root_context(app_ctx);
    dom.rebuild_in_place();
    // The app opens its store asynchronously (in the browser it is a worker's): let
    // that work run until the screens settle.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..50 {
            let work = tokio::time::timeout(std::time::Duration::from_millis(300), dom.wait_for_work());
            if work.await.is_err() {
                break;
            }
            dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
        }
    });
    dioxus_ssr::render(&dom)
}

/// A verification of case c1 typed as far as the villager group and one member.
fn visit_draft() -> serde_json::Value {
    use zaofaxian_mobile::drafts::VisitDraft;
    use zaofaxian_mobile::visit_form::{MemberForm, VisitForm};
    let village = "530402001001".parse().unwrap();
    let mut form = VisitForm::new(
        "c1",
        0,
        zaofaxian_shared::Policy::embedded().profile_for(village).unwrap(),
    );
    form.group = "3组".into();
    form.members.push(MemberForm {
        name: "王秀英".into(),
        ..MemberForm::default()
    });
    let d = VisitDraft {
        household_name: "王秀英".into(),
        village,
        form,
        worksheet: Default::default(),
    };
    serde_json::to_value(d).unwrap()
}

#[test]
fn a_visit_left_open_comes_back_as_it_was_typed() {
    use zaofaxian_mobile::drafts::{OPEN_VISIT_KEY, visit_key};
    let html = render_app_with(Some(session(zaofaxian_shared::Role::VillageCadre)), |s| {
        s.save_draft(&visit_key("c1"), &visit_draft(), 1).unwrap();
        s.save_draft(OPEN_VISIT_KEY, &serde_json::json!("c1"), 2).unwrap();
    });
    assert!(html.contains("已回到上次未完成的入户记录"), "{html}");
    assert!(html.contains("入户核实 · 王秀英"), "the visit screen is open: {html}");
    assert!(html.contains("value=\"3组\""), "the group as typed: {html}");
    assert!(
        html.contains("成员 1") || html.contains("(1)"),
        "the member as typed: {html}"
    );
    assert!(html.contains("稍后继续"), "{html}");
}

#[test]
fn an_unfinished_visit_waits_in_the_queue() {
    use zaofaxian_mobile::drafts::visit_key;
    let html = render_app_with(Some(session(zaofaxian_shared::Role::VillageCadre)), |s| {
        s.save_draft(&visit_key("c1"), &visit_draft(), 1).unwrap();
    });
    assert!(html.contains("未完成的入户记录") && html.contains("继续填写"), "{html}");
    assert!(!html.contains("入户核实 · 王秀英"), "not opened by itself: {html}");
}

#[test]
fn a_report_left_half_way_comes_back_without_signing_in() {
    use zaofaxian_mobile::drafts::REPORT_KEY;
    use zaofaxian_mobile::report_form::{Action, ReportDraft, reduce};
    let mut d = ReportDraft::new("530402001001".parse().unwrap());
    for a in [
        Action::Pick(zaofaxian_shared::report::Hardship::Illness),
        Action::Date(today()),
        Action::Name("王秀英".into()),
    ] {
        d = reduce(d, a, today());
    }
    let html = render_app_with(None, |s| {
        s.save_draft(REPORT_KEY, &serde_json::to_value(&d).unwrap(), 1).unwrap();
    });
    assert!(html.contains("户主姓名"), "straight back to the report's step: {html}");
    assert!(html.contains("value=\"王秀英\""), "the name as typed: {html}");
}

fn session(role: zaofaxian_shared::Role) -> zaofaxian_mobile::local_store::Session {
    zaofaxian_mobile::local_store::Session {
        token: "t".into(),
        role,
        division: Some("530402001001".into()),
        display_name: "李村长".into(),
    }
}

#[test]
fn a_fresh_install_opens_on_reporting_with_sign_in_below() {
    let html = render_app(None);
    assert!(html.contains("早发现 · 防返贫监测"), "{html}");
    assert!(html.contains("等待上传：1条"), "the outbox count shows: {html}");
    let report = html.find("发生了什么困难？").expect("reporting is on the first screen");
    let sign_in = html.find("农户登录").expect("signing in is offered");
    assert!(report < sign_in, "reporting comes first: {html}");
    assert!(html.contains("村干部/工作队登录"), "{html}");
    assert!(!html.contains("获取验证码"), "no sign-in form until asked: {html}");
    assert!(
        !html.contains("http://127.0.0.1:9") && !html.contains("服务器地址"),
        "the server address is a setting, not shown to households: {html}"
    );
    assert!(html.contains("设置"), "{html}");
}

#[test]
fn a_signed_in_household_sees_its_case_and_the_report_steps() {
    let html = render_app(Some(session(zaofaxian_shared::Role::Household)));
    assert!(html.contains("我的申报") && html.contains("待入户核实"), "{html}");
    assert!(html.contains("发生了什么困难？"));
    assert!(html.contains("退出") && !html.contains("获取验证码"), "{html}");
}

#[test]
fn a_signed_in_cadre_sees_the_queue_with_names_and_the_tabs() {
    let html = render_app(Some(session(zaofaxian_shared::Role::VillageCadre)));
    assert!(html.contains("李村长 · 村干部"), "{html}");
    assert!(html.contains("待办 (1)") && html.contains("王秀英"), "{html}");
    assert!(
        html.contains("排查发现新户"),
        "a village's cadre opens cases found on rounds: {html}"
    );
    assert!(
        html.contains("还剩") || html.contains("今天到期") || html.contains("期限待定") || html.contains("超期"),
        "{html}"
    );
    for tab in ["待办", "农户", "入户核实"] {
        assert!(html.contains(tab), "{tab}");
    }
    assert!(
        !html.contains("发生了什么困难？"),
        "no household report steps for staff"
    );
}

#[derive(Props, Clone, PartialEq)]
struct ListHost {
    query: String,
}

fn ListApp(p: ListHost) -> Element {
    use zaofaxian_mobile::household_search::HouseholdEntry;
    use zaofaxian_mobile::ui::HouseholdList;
    let query = use_signal(|| p.query.clone());
    let entry = |id: &str, name: &str, nid: Option<&str>, group: &str| HouseholdEntry {
        case_id: id.into(),
        name: name.into(),
        national_id: nid.map(str::to_string),
        group: group.into(),
        stage: "待入户核实".into(),
        version: 0,
        home: None,
    };
    let entries = vec![
        entry("a", "王秀英", Some("11010519491231002X"), "3组"),
        entry("b", "李建国", None, "1组"),
    ];
    rsx! { HouseholdList { entries, query, lang: Lang::Zh, on_visit: move |_| {} } }
}

#[test]
fn the_household_list_filters_and_masks_id_numbers() {
    let render = |q: &str| {
        let mut dom = VirtualDom::new_with_props(ListApp, ListHost { query: q.into() });
        dom.rebuild_in_place();
        dioxus_ssr::render(&dom)
    };
    let all = render("");
    assert!(all.contains("农户") && all.contains("(2/2)"), "{all}");
    assert!(
        all.contains("110105********002X") && !all.contains("11010519491231002X"),
        "{all}"
    );
    let one = render("1组");
    assert!(
        one.contains("(1/2)") && one.contains("李建国") && !one.contains("王秀英"),
        "{one}"
    );
}

#[derive(Props, Clone, PartialEq)]
struct VisitHost {
    filled: bool,
    lang: Lang,
    on: NaiveDate,
    /// An elimination home check (of a household earning `wage` a month), not a verification.
    elimination: Option<&'static str>,
    /// The reason for "no risk" the cadre typed.
    reason: &'static str,
}

fn VisitApp(p: VisitHost) -> Element {
    use zaofaxian_mobile::ui_visit::VisitScreen;
    use zaofaxian_mobile::visit_form::{MemberForm, VisitForm};
    use zaofaxian_mobile::worksheet_form::WorksheetForm;
    use zaofaxian_shared::household::{Health, LabourCapacity};
    use zaofaxian_shared::{GeoPoint, Policy};
    let village: zaofaxian_shared::DivisionCode = "530402001001".parse().unwrap();
    let form = use_signal(|| {
        let mut f = VisitForm::new("c1", 0, Policy::embedded().profile_for(village).unwrap());
        f.home = Some(GeoPoint::new(24.3741, 102.5431).unwrap());
        f.fix = Some(GeoPoint::new(24.3541, 102.5431).unwrap().with_accuracy(5.0));
        if p.filled {
            f.members[0] = MemberForm {
                name: "王秀英".into(),
                national_id: "11010519491231002X".into(),
                labour: LabourCapacity::None,
                health: Health::Serious,
                severe_disability: Some(false),
                disabled_elderly: Some(false),
                ..MemberForm::default()
            };
            for e in &mut f.exclusions {
                e.applies = Some(false);
            }
            f.formerly_poor = Some(false);
            f.guarantees = [Some(true); 5];
            f.sudden_hardship = Some(false);
            f.application = Some(true);
            f.signer = "王秀英".into();
            f.signature.start(10.0, 10.0);
            f.signature.extend(80.0, 60.0);
        }
        f.no_risk_reason = p.reason.into();
        if p.elimination.is_some() {
            f.purpose = zaofaxian_mobile::visit_form::VisitPurpose::Elimination;
            f.assistance_measures = 1;
            f.members[0].labour = LabourCapacity::Full;
        }
        f
    });
    let worksheet = use_signal(|| WorksheetForm {
        pension: "2400".into(),
        away_months: if p.elimination.is_some() {
            "12".into()
        } else {
            String::new()
        },
        away_monthly_wage: p.elimination.unwrap_or_default().into(),
        ..WorksheetForm::default()
    });
    rsx! {
        VisitScreen {
            form, worksheet, household_name: "王秀英".to_string(), village, today: p.on,
            threshold: Policy::embedded().threshold(village, chrono::Datelike::year(&p.on)).map_err(|e| Text::from_pair(&e.to_string())),
            policy: std::sync::Arc::new(Policy::embedded().clone()),
            collector: "李村长".to_string(), on_locate: move |_| {}, locate_error: None, on_save: move |_| {}, on_later: move |_| {}, lang: p.lang,
        }
    }
}

fn render_visit(filled: bool, lang: Lang, on: NaiveDate) -> String {
    render_visit_with(filled, lang, on, None, "经核实收入稳定")
}

fn render_visit_for(filled: bool, lang: Lang, on: NaiveDate, elimination: Option<&'static str>) -> String {
    render_visit_with(filled, lang, on, elimination, "")
}

fn render_visit_with(
    filled: bool,
    lang: Lang,
    on: NaiveDate,
    elimination: Option<&'static str>,
    reason: &'static str,
) -> String {
    let host = VisitHost {
        filled,
        lang,
        on,
        elimination,
        reason,
    };
    let mut dom = VirtualDom::new_with_props(VisitApp, host);
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

/// A year without a threshold in the data (2026) must not stop a visit being recorded.
#[test]
fn without_a_threshold_the_cadre_records_the_finding_by_hand() {
    let html = render_visit(true, Lang::Zh, "2026-11-23".parse().unwrap());
    assert!(html.contains("没有2026年的监测底线"), "{html}");
    assert!(
        html.contains("保存：存在风险") && html.contains("保存：未发现风险"),
        "{html}"
    );
    assert!(!html.contains("系统测算："), "no assessment to show");
}

#[test]
fn the_visit_screen_has_every_section_and_previews_the_finding() {
    let render = |filled: bool, lang: Lang| render_visit(filled, lang, today());
    let blank = render(false, Lang::Zh);
    for part in [
        "1. 家庭成员",
        "2. 收入核算",
        "3. “两不愁三保障”及饮水安全",
        "4. 排除情形逐项核对",
        "5. 重点关注情形",
        "6. 定位",
        "7. 住房照片",
        "8. 授权承诺书签字",
    ] {
        assert!(blank.contains(part), "{part} missing");
    }
    // 2.2 km from the recorded home: the cadre is warned.
    assert!(blank.contains("约2.2公里"), "{blank}");
    // Nothing answered yet: the preview says what is missing and there is no save button.
    assert!(blank.contains("尚未核对：10"), "{blank}");
    assert!(blank.contains("请填写") || blank.contains("尚未选择"), "{blank}");
    assert!(!blank.contains("保存：未发现风险"));
    // The first member's problem is shown in that member's box; not-asked answers say so.
    let member = &blank[blank.find("class=\"member\"").unwrap()..];
    let member = &member[..member.find("</fieldset>").unwrap()];
    assert!(member.contains("class=\"error\""), "{member}");
    assert!(blank.contains("未回答") && blank.contains("是否脱贫户"), "{blank}");
    // The index at the top: each part linked, with what is still to do.
    assert!(blank.contains("href=\"#part-8\"") && blank.contains("待填"), "{blank}");
    assert!(
        blank.contains("尚未完成的部分：5"),
        "all but the income, the location and the optional part: {blank}"
    );

    let filled = render(true, Lang::Zh);
    assert!(filled.contains("系统测算：存在返贫致贫风险，建议纳入监测"), "{filled}");
    assert!(filled.contains("大病重病"), "the flag with its reason: {filled}");
    assert!(filled.contains("M10 10 L80 60"), "the drawn signature: {filled}");
    assert!(
        filled.contains("出生 1949-12-31 · 女 ·"),
        "what the ID number says: {filled}"
    );
    assert!(
        filled.contains("授权承诺书：本户（户主 王秀英）") && filled.contains("依法查询"),
        "the text signed is shown: {filled}"
    );
    assert!(!filled.contains("未回答"), "every question answered: {filled}");
    assert!(filled.contains("与户主关系"), "{filled}");
    assert!(
        filled.contains("尚未完成的部分：1") && filled.contains("7. 住房照片 待填"),
        "{filled}"
    );
    // The cadre records the finding; the phone never decides "no risk" by itself.
    assert!(
        filled.contains("保存：存在风险") && filled.contains("保存：未发现风险"),
        "{filled}"
    );
    assert!(
        filled.contains("收入骤减后现在每月家庭收入"),
        "the income-drop field is asked"
    );
    // Without a reason for the household, "no risk" is not offered (内蒙古 四(一)7).
    let unexplained = render_visit_with(true, Lang::Zh, today(), None, "无");
    assert!(unexplained.contains("如未发现风险，请写明原因"), "{unexplained}");
    assert!(!unexplained.contains("保存：未发现风险") && unexplained.contains("保存：存在风险"));
    let en = render(true, Lang::En);
    assert!(
        en.contains("Home visit") && en.contains("Save: at risk") && en.contains("Exclusion checklist"),
        "{en}"
    );
}

/// 002 四(二)1: the elimination check shows the four criteria as judged from the form
/// and offers the submission only when all are met and the household agreed.
#[test]
fn the_elimination_check_judges_the_criteria_from_the_form() {
    let low = render_visit_for(true, Lang::Zh, today(), Some("300"));
    assert!(low.contains("风险消除入户核查 · 王秀英"), "{low}");
    assert!(low.contains("尚未达标，继续帮扶"), "{low}");
    assert!(low.contains("未超出2025年监测底线8700.00元"), "{low}");
    assert!(!low.contains("提交风险消除核查"), "no submission below the line");
    assert!(!low.contains("保存：未发现风险"), "not a verification");
    let stable = render_visit_for(true, Lang::Zh, today(), Some("1500"));
    assert!(stable.contains("四项标准均已达标"), "{stable}");
    assert!(stable.contains("农户知情并同意标注风险消除"), "{stable}");
    assert!(
        !stable.contains("提交风险消除核查"),
        "not before the household's consent is ticked"
    );
}

#[derive(Props, Clone, PartialEq)]
struct SheetHost {
    form: zaofaxian_mobile::worksheet_form::WorksheetForm,
}

fn SheetApp(p: SheetHost) -> Element {
    let form = use_signal(|| p.form.clone());
    rsx! {
        zaofaxian_mobile::ui::IncomeWorksheet { form, today: today(), household_size: 3, threshold: Ok(zaofaxian_shared::Fen::yuan(8700)), lang: Lang::Zh }
    }
}

#[test]
fn the_worksheet_shows_live_totals_and_the_threshold_line() {
    let mut form = zaofaxian_mobile::worksheet_form::WorksheetForm::default();
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
        html.contains("field invalid") && html.contains("养老金（元/年）：请填写金额"),
        "{html}"
    );
    // The error sits in the field's own label, and the totals of the rest stay.
    let field = &html[html.find("field invalid").unwrap()..];
    assert!(
        field[..field.find("</label>").unwrap()].contains("class=\"error\""),
        "{html}"
    );
    assert!(
        html.contains("25800.00") && html.contains("未计入填写有误的项目"),
        "{html}"
    );
}

#[derive(Props, Clone, PartialEq)]
struct FoundHost {
    draft: ReportDraft,
}

fn FoundApp(p: FoundHost) -> Element {
    let draft = use_signal(|| p.draft.clone());
    rsx! { zaofaxian_mobile::ui_found_case::FoundCaseForm { draft, today: today(), lang: Lang::Zh, on_save: move |_| {}, on_cancel: move |_| {} } }
}

/// The found-household form asks who, how to reach them, what happened and when, on one
/// page, and says why it cannot be saved.
#[test]
fn the_found_household_form_asks_everything_on_one_page() {
    let mut d = reduce(draft(), Action::Phone("12345".into()), today());
    d.error = Some(Text::new("手机号码应为1开头的11位数字", "bad phone"));
    let mut dom = VirtualDom::new_with_props(FoundApp, FoundHost { draft: d });
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    for field in [
        "household_name",
        "national_id",
        "phone",
        "group",
        "happened_on",
        "description",
    ] {
        assert!(html.contains(&format!("name=\"{field}\"")), "{field}: {html}");
    }
    assert_eq!(html.matches("choice big").count(), 8, "every hardship: {html}");
    assert!(
        html.contains("role=\"alert\"") && html.contains("手机号码应为"),
        "{html}"
    );
    assert!(html.contains("保存并入户核实"), "{html}");
}

/// The voice note control: one tap to record when there is none; kept, it can be
/// recorded again or deleted.
#[derive(Props, Clone, PartialEq)]
struct VoiceHost {
    recorded: Option<String>,
}

fn VoiceApp(p: VoiceHost) -> Element {
    rsx! { zaofaxian_mobile::ui_voice::VoiceNote { recorded: p.recorded.clone(), lang: Lang::Zh, on_kept: move |_| {} } }
}

#[test]
fn the_voice_note_offers_recording_then_its_state() {
    let render = |recorded: Option<String>| {
        let mut dom = VirtualDom::new_with_props(VoiceApp, VoiceHost { recorded });
        dom.rebuild_in_place();
        dioxus_ssr::render(&dom)
    };
    let none = render(None);
    assert!(none.contains("说一段话") && !none.contains("已录好"), "{none}");
    let kept = render(Some("a".repeat(64)));
    assert!(
        kept.contains("语音已录好") && kept.contains("重录") && kept.contains("删除录音"),
        "{kept}"
    );
}

#[derive(Props, Clone, PartialEq)]
struct SettingsHost {
    staff: bool,
}

fn SettingsApp(p: SettingsHost) -> Element {
    use zaofaxian_mobile::ui_sign_in::{ServerSettings, SignIn, Who};
    let server = use_signal(|| "https://jc.example.gov.cn".to_string());
    let who = if p.staff { Who::Staff } else { Who::Household };
    rsx! {
        ServerSettings { server, lang: Lang::Zh, on_done: move |_| {} }
        SignIn { server, lang: Lang::Zh, initial: who, on_signed_in: move |_| {}, on_back: move |_| {} }
    }
}

/// 设置 holds the server's address; the sign-in form opens on the kind of user who asked
/// for it and no longer shows the address.
#[test]
fn settings_hold_the_server_and_sign_in_opens_for_who_asked() {
    let render = |staff: bool| {
        let mut dom = VirtualDom::new_with_props(SettingsApp, SettingsHost { staff });
        dom.rebuild_in_place();
        dioxus_ssr::render(&dom)
    };
    let household = render(false);
    let settings = &household[..household.find("class=\"sign-in\"").unwrap_or(household.len())];
    assert!(
        settings.contains("服务器地址") && settings.contains("https://jc.example.gov.cn"),
        "{household}"
    );
    assert_eq!(
        household.matches("https://jc.example.gov.cn").count(),
        1,
        "only under 设置: {household}"
    );
    assert!(
        household.contains("获取验证码") && !household.contains("type=\"password\""),
        "{household}"
    );
    assert!(household.contains("返回申报"), "{household}");
    let staff = render(true);
    assert!(
        staff.contains("type=\"password\"") && !staff.contains("获取验证码"),
        "{staff}"
    );
}
