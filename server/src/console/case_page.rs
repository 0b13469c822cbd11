//! One case: the household, the latest home visit with its assessment, photos and
//! places, the hash-chained timeline, and a form for each step the signed-in role
//! may take at this stage. Every step goes through the core's `transition`.

use super::{Staff, api_error_page, layout, tr};
use crate::cases::{EventRequest, apply_event, visible_case};
use crate::state::AppState;
use crate::store::CaseRecord;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset};
use maud::{Markup, html};
use serde_json::Value;
use std::collections::HashMap;
use zaofaxian_shared::household::{LabourCapacity, Relationship};
use zaofaxian_shared::joint_review::{self, JOINT_CHECKS, JointCheck};
use zaofaxian_shared::lifecycle::{Decision, Event, EventKind};
use zaofaxian_shared::{Lang, PhoneNumber, Role, Text};

/// Assistance by risk type (帮扶措施类别).
pub const MEASURES: [&str; 8] = [
    "产业帮扶",
    "就业帮扶",
    "健康帮扶",
    "教育帮扶",
    "住房安全保障",
    "饮水安全保障",
    "综合保障（低保、特困、临时救助）",
    "其他帮扶",
];

pub(super) fn china_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!()))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn masked_id(v: &Value) -> String {
    v.as_str()
        .and_then(zaofaxian_shared::NationalId::mask)
        .unwrap_or_default()
}

fn event_label(entry: &Value, l: Lang) -> String {
    let name = entry["event"]["event"]
        .as_str()
        .or(entry["event"].as_str())
        .unwrap_or_default();
    match name {
        "report" => return tr(l, "提交申报", "report filed").into(),
        "clue" => return tr(l, "预警线索派发", "warning clue dispatched").into(),
        crate::policy_data::SUPERVISED => return tr(l, "上级督办", "supervision by the level above").into(),
        _ => {}
    }
    serde_json::from_value::<EventKind>(Value::String(name.into()))
        .map(|k| k.label().get(l).to_string())
        .unwrap_or_else(|_| name.to_string())
}

fn stage_label(v: &Value, l: Lang) -> String {
    serde_json::from_value::<zaofaxian_shared::Stage>(v.clone())
        .map(|s| s.label().get(l).to_string())
        .unwrap_or_default()
}

#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let done = q
        .done
        .and_then(|k| serde_json::from_value::<EventKind>(Value::String(k)).ok());
    render(&state, &staff, &id, done.map(|k| Ok(k.label())), StatusCode::OK).await
}

/// The page, with a message: a step done, or why it was refused.
async fn render(
    state: &AppState,
    staff: &Staff,
    id: &str,
    flash: Option<Result<Text, Text>>,
    status: StatusCode,
) -> Response {
    let caller = staff.caller();
    let case = match visible_case(state, &caller, id).await {
        Ok(c) => c,
        Err(e) => return api_error_page(e),
    };
    let history = match state.store.history(id).await {
        Ok(h) => h,
        Err(e) => return api_error_page(e.into()),
    };
    let chain_intact = crate::audit::verify_chain(&history).is_ok();
    let l = staff.lang;
    let mut names: HashMap<String, String> = HashMap::new();
    for h in &history {
        if !names.contains_key(&h.actor_account) {
            let n = state
                .store
                .account(&h.actor_account)
                .await
                .ok()
                .flatten()
                .map(|a| a.name)
                .unwrap_or_else(|| tr(l, "农户", "household").into());
            names.insert(h.actor_account.clone(), n);
        }
    }
    let today = state.clock.today();
    let visit = history
        .iter()
        .rev()
        .find(|h| h.entry["visit"].is_object())
        .map(|h| &h.entry);
    let places: Vec<(f64, f64, String)> = history
        .iter()
        .filter_map(|h| {
            let p = &h.entry["location"];
            Some((p["lat"].as_f64()?, p["lon"].as_f64()?, event_label(&h.entry, l)))
        })
        .collect();
    let photos: Vec<String> = history
        .iter()
        .flat_map(|h| h.entry["photos"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    // What households said instead of writing, oldest first.
    let voices: Vec<String> = history
        .iter()
        .filter_map(|h| h.entry["voice_note"].as_str().map(str::to_string))
        .collect();
    let same = match caller.scope() {
        Ok(crate::store::Scope::Within(area)) => crate::cases::same_pictures(state, &case, area)
            .await
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let r = &case.report;
    let village_name = super::division_name(state, case.division).await;
    let reference = state.reference();
    let profile = reference.policy.profile(&case.profile_id);
    let body = html! {
        @if let Some(f) = &flash {
            @match f {
                Ok(t) => p.flash.ok role="status" { (tr(l, "已办理：", "Done: ")) (t.get(l)) },
                Err(t) => p.flash.error role="alert" { (t.get(l)) },
            }
        }
        h2 { (r["household_name"].as_str().unwrap_or_default()) " " span.muted { (masked_id(&r["national_id"])) } }
        p {
            (tr(l, "阶段：", "Stage: ")) strong { (case.state.stage.label().get(l)) }
            @if let Some(d) = case.state.deadline {
                " · " (d.kind.label().get(l)) (tr(l, "：", ": ")) (d.due)
                @if let Some(note) = d.provisional_note() { " " strong.provisional title=(note.get(l)) { (tr(l, "（暂定）", " (provisional)")) } }
                @if let Ok(Some(n)) = case.state.days_left(&state.reference().calendar, today) {
                    @if n < 0 { strong style="color:#b00020" { (tr(l, "（超期", " (overdue ")) (-n) (tr(l, "个工作日）", " working days)")) } }
                    @else { (tr(l, "（剩余", " (")) (n) (tr(l, "个工作日）", " working days left)")) }
                }
            }
            @if let Some(y) = case.state.deadline_pending_year { (tr(l, " · 期限待定：缺少", " · deadline pending: no holiday data for ")) (y) (tr(l, "年节假日数据", "")) }
        }
        @if let Some(note) = case.state.deadline.and_then(|d| d.provisional_note()) { p.muted.provisional { (note.get(l)) } }
        // 内蒙古 四(一)7 "及时向农牧户反馈原因": the reason the household is told.
        @if let Some(reason) = case.state.reason.as_deref().filter(|_| case.state.stage.is_closed()) {
            p.flash { strong { (tr(l, "原因（已反馈农户）：", "Reason (told to the household): ")) } (reason) }
        }
        @if let Some(y) = case.state.assessment_pending_year {
            p.muted { (tr(l, "入户记录待评估：", "Visit awaiting assessment: ")) (y) (tr(l, "年监测底线尚未设定，设定后自动评估", " has no threshold yet; it is assessed when one is set")) }
        }
        p.muted {
            (tr(l, "渠道：", "Channel: ")) (case.state.channel.label().get(l)) (tr(l, " · 受理：", " · opened ")) (case.state.opened_on)
            @if let Some((a, b)) = case.state.notice { (tr(l, " · 公示：", " · notice ")) (a) (tr(l, " 至 ", " to ")) (b) }
            (tr(l, " · 村：", " · village ")) (village_name) " (" (case.division) ")"
            @if !case.state.members.is_empty() {
                (tr(l, " · 家庭成员", " · members")) "（" (case.state.members.len()) "）：" (case.state.members.join("、"))
            }
            @if case.photos_missing > 0 { (tr(l, " · 待上传照片 ", " · photos still to arrive: ")) (case.photos_missing) }
        }
        h3 { (tr(l, "申报内容", "Report")) }
        p {
            (crate::board::hardship_label(r, l).unwrap_or_default())
            (tr(l, " · 发生于 ", " · on ")) (r["happened_on"].as_str().unwrap_or_default())
            @if let Some(a) = r["amount"].as_i64() { (tr(l, " · 约 ", " · about ")) (zaofaxian_shared::Fen(a)) (tr(l, " 元", " yuan")) }
            @if r["on_behalf"] == true { (tr(l, " · 代为申报", " · filed on behalf")) }
            @if let Some(p) = r["phone"].as_str().and_then(|p| PhoneNumber::parse(p).ok()) { (tr(l, " · 电话 ", " · phone ")) (p.masked()) }
        }
        @if let Some(d) = r["description"].as_str().filter(|d| !d.is_empty()) { p { (d) } }
        @for v in &voices {
            p.voice { (tr(l, "语音说明 ", "Voice note ")) audio controls preload="none" src={ "/api/v1/photos/" (v) } {} }
        }
        @if let Some(v) = visit { (visit_section(v, profile, l)) }
        @if !places.is_empty() { h3 { (tr(l, "定位", "Places")) } (map(&places, l)) }
        @if !photos.is_empty() {
            h3 { (tr(l, "照片", "Photos")) }
            div.cards {
                @for p in &photos {
                    a href={ "/api/v1/photos/" (p) } { img src={ "/api/v1/photos/" (p) "/thumbnail" } alt="照片" width="160"; }
                }
            }
        }
        @for s in &same {
            p.flash.error {
                (tr(l, "疑似同一张照片用于另一户：", "This photo looks like one of another household: "))
                a href={ "/console/cases/" (s["other_case"].as_str().unwrap_or_default()) } { (tr(l, "查看该户", "open it")) }
                " (" (s["distance"]) "/64)"
            }
        }
        h3 { (tr(l, "办理过程 ", "Timeline ")) span.muted { @if chain_intact { (tr(l, "（记录完整，未被改动）", "(complete, unaltered)")) } @else { (tr(l, "（警告：记录链校验失败）", "(WARNING: the record chain does not verify)")) } } }
        ol.timeline {
            @for h in &history {
                li {
                    (china_time(h.at)) " · " (names.get(&h.actor_account).cloned().unwrap_or_default())
                    "（" (serde_json::from_value::<Role>(Value::String(h.actor_role.clone())).map(|r| if l == Lang::En { r.label_en() } else { r.label_zh() }).unwrap_or(h.actor_role.as_str())) "）· "
                    strong { (event_label(&h.entry, l)) }
                    @if h.entry["to"].is_object() { " → " (stage_label(&h.entry["to"], l)) }
                    @if let Some(n) = h.entry["note"].as_str().filter(|n| !n.is_empty()) { br; span.muted { (n) } }
                }
            }
        }
        (actions(staff, &case, profile))
    };
    (status, layout(tr(l, "案件", "Case"), Some(staff), body)).into_response()
}

/// What the visit recorded that a reviewer must see: 脱贫户, each of 两不愁三保障 and
/// drinking water, each exclusion answer with its explanation, the situations observed.
fn recorded_answers(visit: &Value, profile: Option<&zaofaxian_shared::Profile>, l: Lang) -> Markup {
    let yes_no = |b: bool| if b { tr(l, "是", "yes") } else { tr(l, "否", "no") };
    let guarantees = [
        ("food_and_clothing", tr(l, "不愁吃、不愁穿", "food and clothing")),
        ("compulsory_education", tr(l, "义务教育有保障", "compulsory education")),
        ("basic_medical", tr(l, "基本医疗有保障", "basic medical care")),
        ("housing_safe", tr(l, "住房安全有保障", "safe housing")),
        ("drinking_water", tr(l, "饮水安全有保障", "safe drinking water")),
    ];
    html! {
        p { (tr(l, "脱贫户：", "Formerly poor: ")) strong { (yes_no(visit["formerly_poor"] == true)) }
            (tr(l, " · 突发严重困难（干部判断）：", " · sudden severe hardship (cadre's judgement): ")) (yes_no(visit["sudden_hardship"] == true)) }
        p {
            (tr(l, "两不愁三保障及饮水安全：", "Two assurances, three guarantees, water: "))
            @for (key, label) in guarantees {
                @let ok = visit["guarantees"][key] == true;
                span class=(if ok { "" } else { "provisional" }) { (label) (if ok { tr(l, "（已保障）", " (secured)") } else { tr(l, "（未保障）", " (NOT secured)") }) } " "
            }
        }
        @let observed = visit["observed_flags"].as_array().cloned().unwrap_or_default();
        @if !observed.is_empty() {
            p { (tr(l, "干部观察到的重点关注情形：", "Situations the cadre observed: "))
                @for f in &observed {
                    @if let Ok(flag) = serde_json::from_value::<zaofaxian_shared::policy::KeyFlag>(f.clone()) { (flag.label().get(l)) "；" }
                }
            }
        }
        @let checks = visit["exclusion_checks"].as_array().cloned().unwrap_or_default();
        @if !checks.is_empty() {
            details {
                summary { (tr(l, "排除情形逐项核对（", "Exclusion checks (")) (checks.iter().filter(|c| c["applies"] == true).count()) (tr(l, "项存在）", " apply)")) }
                table {
                    thead { tr { th { (tr(l, "情形", "Situation")) } th { (tr(l, "是否存在", "Applies")) } th { (tr(l, "说明或评议", "Explanation or review")) } } }
                    tbody {
                        @for c in &checks {
                            @let id = c["rule_id"].as_str().unwrap_or_default();
                            tr {
                                td { (profile.and_then(|p| p.exclusion(id)).map_or_else(|| id.to_string(), |r| r.text().get(l).to_string())) }
                                td { strong { (yes_no(c["applies"] == true)) } }
                                td {
                                    @let persons: Vec<&str> = c["persons"].as_array().map(|a| a.iter().filter_map(|p| p.as_str()).collect()).unwrap_or_default();
                                    @if !persons.is_empty() { (tr(l, "不计入本户：", "Left out of the household: ")) (persons.join("、")) " " }
                                    (c["override_note"].as_str().unwrap_or_default())
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn visit_section(v: &Value, profile: Option<&zaofaxian_shared::Profile>, l: Lang) -> Markup {
    let lang = if l == Lang::En { "en" } else { "zh" };
    let visit = &v["visit"];
    let a = &v["assessment"];
    html! {
        h3 { (tr(l, "入户核实（", "Home visit (")) (visit["visited_on"].as_str().unwrap_or_default()) (tr(l, "）", ")")) }
        @if let Some(g) = visit["group"].as_str().filter(|g| !g.is_empty()) { p { (tr(l, "村民小组：", "Group: ")) (g) } }
        (recorded_answers(visit, profile, l))
        table {
            thead { tr { th { (tr(l, "成员", "Member")) } th { (tr(l, "与户主关系", "Relationship")) } th { (tr(l, "身份证号", "ID number")) } th { (tr(l, "出生", "Born")) } th { (tr(l, "劳动能力", "Labour")) } th { (tr(l, "健康", "Health")) } } }
            tbody {
                @for m in visit["members"].as_array().cloned().unwrap_or_default() {
                    tr {
                        td { (m["name"].as_str().unwrap_or_default()) }
                        td { (m["relationship"].as_str().and_then(Relationship::from_code).map(|r| r.label().get(l).to_string()).unwrap_or_default()) }
                        td { (masked_id(&m["national_id"])) }
                        td { (m["birth_date"].as_str().unwrap_or_default()) }
                        td { (m["labour"].as_str().and_then(LabourCapacity::from_code).map(|c| c.label().get(l).to_string()).unwrap_or_default()) }
                        td { (match m["health"].as_str() { Some("chronic") => tr(l, "长期慢性病", "chronic illness"), Some("serious") => tr(l, "大病重病", "serious illness"), _ => tr(l, "健康", "healthy") }) }
                    }
                }
            }
        }
        @if let Ok(w) = serde_json::from_value::<zaofaxian_shared::income::Worksheet>(visit["worksheet"].clone())
            && let Ok(t) = w.compute(visit["members"].as_array().map_or(0, |m| m.len() as u32))
        {
            (worksheet_table(&t, l))
        }
        @if let Some(p) = visit["previous_per_capita"].as_i64() {
            p { (tr(l, "上年人均纯收入：", "Last year's income per person: ")) (zaofaxian_shared::Fen(p)) (tr(l, " 元", " yuan")) }
        }
        @if let Some(m) = visit["current_monthly_income"].as_i64() {
            p { (tr(l, "收入骤减后每月家庭收入：", "Household income per month after the fall: ")) (zaofaxian_shared::Fen(m)) (tr(l, " 元", " yuan")) }
        }
        @if let Some(err) = a["error"][lang].as_str() {
            p.flash.error { (tr(l, "未能自动测算：", "No automatic assessment: ")) (err) }
        } @else if a.is_object() {
            p {
                (tr(l, "人均纯收入 ", "Per-capita net income ")) strong { (a["per_capita"].as_i64().map(zaofaxian_shared::Fen).map(|f| f.to_string()).unwrap_or_default()) } (tr(l, " 元", " yuan"))
                (tr(l, " · 扣除刚性支出后 ", " · after rigid costs ")) (a["per_capita_after_rigid"].as_i64().map(zaofaxian_shared::Fen).map(|f| f.to_string()).unwrap_or_default())
                " · " (a["year"]) (tr(l, "年监测底线 ", " threshold ")) (a["threshold"].as_i64().map(zaofaxian_shared::Fen).map(|f| f.to_string()).unwrap_or_default())
            }
            p { strong { @if a["eligible"] == true { (tr(l, "测算结论：建议纳入监测", "Assessment: propose monitoring")) } @else { (tr(l, "测算结论：暂不纳入", "Assessment: not at risk")) } } }
            // The cadre's own finding beside it; a disagreement is for the reviewer to weigh.
            @if let Some(found) = v["event"]["at_risk"].as_bool() {
                p { (tr(l, "核实干部结论：", "The visiting cadre found: ")) strong { @if found { (tr(l, "存在风险", "at risk")) } @else { (tr(l, "未发现风险", "no risk")) } } }
                @if a["eligible"].as_bool().is_some_and(|e| e != found) {
                    p.flash.error role="alert" { (tr(l, "注意：干部结论与系统测算不一致，请审核时核实原因。", "Note: the cadre's finding differs from the assessment: check why before deciding.")) }
                }
            }
            ul {
                @for r in a["reasons"].as_array().cloned().unwrap_or_default() { li { (r["text"][lang].as_str().unwrap_or_default()) } }
                @for f in a["flags"].as_array().cloned().unwrap_or_default() {
                    li { (tr(l, "重点关注：", "Key attention: ")) (f["label"][lang].as_str().unwrap_or_default()) " — " (f["because"][lang].as_str().unwrap_or_default()) }
                }
                @for x in a["excluded_by"].as_array().cloned().unwrap_or_default() { li { (tr(l, "排除情形：", "Exclusion: ")) (x.as_str().unwrap_or_default()) } }
            }
        }
        p.muted {
            (tr(l, "授权：", "Authorization: "))
            (match visit["authorization"]["kind"].as_str() { Some("drawn") => tr(l, "手写签名", "signed"), Some("fingerprint") => tr(l, "按手印", "fingerprint"), _ => tr(l, "他人代签", "signed by proxy") })
            (tr(l, "，签字人 ", ", by ")) (visit["authorization"]["signer"].as_str().unwrap_or_default())
            @if let Some(n) = visit["authorization"]["note"].as_str() { "（" (n) "）" }
        }
        @if let Some(path) = visit["authorization"]["path"].as_str() {
            svg width="300" height="120" viewBox="0 0 300 120" style="background:white;border:1px solid #ccc" {
                path d=(path) stroke="#111" stroke-width="3" fill="none" {}
            }
        }
    }
}

/// Section 八 of the income worksheet (玉溪 annex 2), line by line, over its 12 months.
fn worksheet_table(t: &zaofaxian_shared::income::WorksheetTotals, l: Lang) -> Markup {
    let lines: [(&str, &str, &str, zaofaxian_shared::Fen); 12] = [
        ("A1", "生产经营性收入", "production income", t.a1_production),
        ("A2", "工资性收入", "wages", t.a2_wages),
        ("A3", "财产性收入", "property income", t.a3_property),
        ("A4", "转移性收入", "transfers", t.a4_transfers),
        ("A", "家庭总收入", "total income", t.a_total),
        ("B", "生产经营性支出", "production costs", t.b_total),
        (
            "B4",
            "其中：生产性固定资产折旧",
            "of which depreciation",
            t.b4_depreciation,
        ),
        ("C", "家庭纯收入", "net income", t.c_net),
        ("D", "家庭人均纯收入", "per-capita net income", t.d_per_capita),
        ("E", "理赔收入", "insurance payouts", t.e_insurance_claims),
        ("F", "刚性支出", "rigid expenses", t.f_rigid),
        (
            "D1",
            "扣除刚性支出后人均纯收入",
            "per capita after rigid expenses",
            t.d1_after_rigid,
        ),
    ];
    html! {
        table.worksheet {
            caption { (tr(l, "家庭收入核算（", "Income worksheet (")) (t.window_start) " – " (t.window_end) (tr(l, "，", ", ")) (t.household_size) (tr(l, "人）", " people)")) }
            @for (code, zh, en, v) in lines { tr { td { (code) } td { (tr(l, zh, en)) } td style="text-align:right" { (v) } } }
        }
    }
}

/// The recorded places on a plain grid with a scale, the first one at the centre.
fn map(places: &[(f64, f64, String)], l: Lang) -> Markup {
    let (lat0, lon0) = (places[0].0, places[0].1);
    // Metres east/north of the first point.
    let xy: Vec<(f64, f64, &str)> = places
        .iter()
        .map(|(lat, lon, label)| {
            let x = (lon - lon0) * 111_320.0 * lat0.to_radians().cos();
            let y = (lat - lat0) * 110_574.0;
            (x, y, label.as_str())
        })
        .collect();
    let extent = xy.iter().map(|(x, y, _)| x.abs().max(y.abs())).fold(100.0, f64::max);
    let scale = 140.0 / extent;
    html! {
        svg width="320" height="320" viewBox="0 0 320 320" style="background:#eef3e8;border:1px solid #ccc" {
            line x1="160" y1="0" x2="160" y2="320" stroke="#cfd8c4" {}
            line x1="0" y1="160" x2="320" y2="160" stroke="#cfd8c4" {}
            @for (x, y, label) in &xy {
                circle cx=(format!("{:.0}", 160.0 + x * scale)) cy=(format!("{:.0}", 160.0 - y * scale)) r="6" fill="#b22222" {}
                text x=(format!("{:.0}", 168.0 + x * scale)) y=(format!("{:.0}", 156.0 - y * scale)) font-size="12" { (label) }
            }
            text x="8" y="312" font-size="12" { (tr(l, "半径约 ", "radius about ")) (format!("{extent:.0}")) (tr(l, " 米", " m")) }
        }
        p.muted {
            @for (lat, lon, label) in places { (label) "：" (format!("{lat:.5}, {lon:.5}")) "　" }
        }
    }
}

fn decision_select(l: Lang) -> Markup {
    html! {
        select name="decision" {
            option value="approve" { (tr(l, "同意", "approve")) }
            option value="return" { (tr(l, "退回村级修改", "send back to the village")) }
            option value="reject" { (tr(l, "不同意", "reject")) }
        }
    }
}

fn note_field(l: Lang, zh: &'static str, en: &'static str) -> Markup {
    html! { p { label { (tr(l, zh, en)) " " input name="note" size="40"; } } }
}

/// A form for each step this role may take at this stage.
fn actions(staff: &Staff, case: &CaseRecord, profile: Option<&zaofaxian_shared::Profile>) -> Markup {
    let role = staff.account.role;
    let l = staff.lang;
    let (kinds, final_kinds): (Vec<EventKind>, Vec<EventKind>) = EventKind::ALL
        .into_iter()
        .filter(|k| k.allowed_roles().contains(&role) && k.applies_in(case.state.stage))
        .partition(|k| !k.is_irreversible());
    html! {
        @if kinds.is_empty() && final_kinds.is_empty() { p.muted { (tr(l, "当前阶段没有您可办理的事项", "Nothing for your role at this stage")) } }
        // Steps that end the case for good: apart, with a reason and a confirmation.
        @if !final_kinds.is_empty() {
            details.irreversible {
                summary { (tr(l, "不可撤销的办理事项（清退、整户消亡）", "Steps that cannot be undone (clearing, household dissolved)")) }
                @for k in &final_kinds {
                    form.action method="post" action={ "/console/cases/" (case.id) } {
                        h3 { (k.label().get(l)) }
                        input type="hidden" name="csrf" value=(staff.csrf);
                        input type="hidden" name="event" value=(crate::board::tag(k, None));
                        input type="hidden" name="version" value=(case.state.version);
                        p { label { (tr(l, "原因（必填，核实情况、依据） ", "Reason (required: what was verified, on what basis) "))
                            textarea name="note" rows="3" cols="40" required minlength=(zaofaxian_shared::lifecycle::MIN_REASON_CHARS) {} } }
                        p { label { input type="checkbox" name="confirm" value="yes" required;
                            (tr(l, "我已核实，确认办理。此操作结束案件，不能撤销。", "I have verified this and confirm: it ends the case and cannot be undone.")) } }
                        button type="submit" { (tr(l, "确认办理：", "Confirm: ")) (k.label().get(l)) }
                    }
                }
            }
        }
        @for k in kinds {
            form.action method="post" action={ "/console/cases/" (case.id) } {
                h3 { (k.label().get(l)) }
                input type="hidden" name="csrf" value=(staff.csrf);
                input type="hidden" name="event" value=(crate::board::tag(&k, None));
                input type="hidden" name="version" value=(case.state.version);
                @match k {
                    EventKind::RecordVerification => {
                        p { label { (tr(l, "核实结论 ", "Finding ")) select name="at_risk" { option value="true" { (tr(l, "存在返贫致贫风险", "at risk")) } option value="false" { (tr(l, "经核实无风险", "no risk")) } } } }
                        (note_field(l, "说明（认定无风险时必填，将反馈农户）", "Note (required for no risk: the household is told)"))
                    }
                    EventKind::RecordAppraisal => {
                        p { label { (tr(l, "评议结果 ", "Result ")) select name="approved" { option value="true" { (tr(l, "同意纳入", "include")) } option value="false" { (tr(l, "不同意", "do not include")) } } } }
                        p { label { (tr(l, "参会人员 ", "Attendees ")) input name="attendees" size="40" required; } }
                        p { label { (tr(l, "评议意见 ", "Opinions ")) input name="opinions" size="40" required; } }
                        @let pending = &case.state.binding.assembly_pending;
                        @if !pending.is_empty() {
                            fieldset { legend { (tr(l, "须经村民代表大会重点评议的排除情形", "Exclusions the village representative assembly must review")) }
                                ul { @for id in pending { li { (profile.and_then(|p| p.exclusion(id)).map_or_else(|| id.clone(), |r| r.text().get(l).to_string())) } } }
                                label { input type="checkbox" name="assembly_review" value="on";
                                    (tr(l, "本次评议为村民代表大会，已对上述情形逐项重点评议", "This meeting was the village representative assembly and reviewed each of these")) }
                            }
                        }
                    }
                    EventKind::ResolveObjection => {
                        p { label { "调查结论 " select name="upheld" { option value="false" { "异议不成立" } option value="true" { "异议成立（不予纳入）" } } } }
                        (note_field(l, "调查情况", "Investigation"))
                    }
                    EventKind::TownshipReview => { p { label { (tr(l, "审核意见 ", "Decision ")) (decision_select(l)) } } (note_field(l, "说明（不同意时必填，将反馈农户）", "Note (required to reject: the household is told)")) }
                    EventKind::CountyDetermination => {
                        p { label { (tr(l, "审定意见 ", "Decision ")) (decision_select(l)) } }
                        @if case.state.procedure == zaofaxian_shared::lifecycle::Procedure::Identification {
                            p { label { (tr(l, "监测对象类别 ", "Category ")) select name="category" {
                                @for c in zaofaxian_shared::eligibility::Category::ALL {
                                    option value=(crate::board::tag(&c, None)) selected[case.state.category == Some(c)] { (c.label().get(l)) }
                                }
                            } } }
                        }
                        fieldset { legend { (tr(l, "部门联审比对", "Departments' joint checks")) }
                            p.muted { (tr(l, "会同", "With ")) (zaofaxian_shared::joint_review::DEPARTMENTS_ZH) (tr(l, "复核核准：", ": ")) }
                            @for c in JOINT_CHECKS { label { input type="checkbox" name={ "check_" (c.key) } value="on"; (c.label().get(l)) } " " }
                        }
                        (note_field(l, "说明", "Note"))
                    }
                    EventKind::RecordAssistance => {
                        p { label { (tr(l, "帮扶措施 ", "Measure ")) select name="measure" { @for m in MEASURES { option value=(m) { (m) } } } } }
                        p { label { (tr(l, "责任人 ", "Responsible ")) input name="responsible" required; } }
                        (note_field(l, "具体内容", "Details"))
                        p.muted { (tr(l, "帮扶措施、责任人和具体内容会显示在农户手机上的“我的申报”中。",
                            "The measure, the responsible person and the details are shown to the household in its app.")) }
                    }
                    EventKind::StartElimination => {
                        // The four criteria are judged from the home check's figures, which
                        // only a visit records: no tick box can stand in for them.
                        p.muted { (tr(l,
                            "风险消除须入户核查：在手机应用中打开此户，记录家庭成员、收入测算和“三保障”，系统据此研判四项标准是否达标，并经农户知情同意后提交。",
                            "Risk elimination needs a home check: open this household in the app, record its members, income worksheet and guarantees; the four criteria are judged from them, and the household's consent is recorded there.")) }
                    }
                    EventKind::PopulationChange => {
                        p { label { (tr(l, "减少的成员（姓名，顿号分隔） ", "Members who left (names) ")) input name="removed" size="30"; } }
                        p {
                            label { (tr(l, "新增成员姓名 ", "New member ")) input name="added_name" size="12"; }
                            label { (tr(l, " 出生日期 ", " born ")) input name="added_birth" type="date"; }
                            label { (tr(l, " 劳动能力 ", " labour ")) select name="added_labour" {
                                @for c in LabourCapacity::ALL.into_iter().rev() {
                                    option value=(c.code()) { (c.label().get(l)) }
                                }
                            } }
                        }
                        (note_field(l, "说明（出生、死亡、婚嫁等）", "Note (birth, death, marriage…)"))
                    }
                    EventKind::Reinstate => {
                        p.muted { (tr(l, "清退或整户消亡有误的，县级可在结案后30日内恢复，案件回到结案前的环节。", "A mistaken clearing or dissolution can be undone by the county within 30 days; the case returns to where it was.")) }
                        p { label { (tr(l, "原因（必填） ", "Reason (required) ")) textarea name="note" rows="3" cols="40" required minlength=(zaofaxian_shared::lifecycle::MIN_REASON_CHARS) {} } }
                    }
                    EventKind::CloseNotice | EventKind::CloseSecondNotice => { p.muted { (tr(l, "公示期满且异议均已调查后办理", "After the notice period, with every objection investigated")) } }
                    _ => { (note_field(l, "说明", "Note")) }
                }
                @if k != EventKind::StartElimination { button type="submit" { (tr(l, "办理：", "Record: ")) (k.label().get(l)) } }
            }
        }
    }
}

/// Turns a step's form into the core's event and a note for the history.
fn event_from_form(kind: EventKind, f: &HashMap<String, String>) -> Result<(Event, Option<String>), Text> {
    let yes = |name: &str| f.get(name).is_some_and(|v| v == "on" || v == "true");
    let text = |name: &str| f.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let required = |name: &str, zh: &str| {
        text(name).ok_or_else(|| Text::new(format!("请填写{zh}"), format!("{name} is required")))
    };
    let decision = || match f.get("decision").map(String::as_str) {
        Some("approve") => Ok(Decision::Approve),
        Some("reject") => Ok(Decision::Reject),
        Some("return") => Ok(Decision::Return),
        _ => Err(Text::new("请选择审核意见", "choose a decision")),
    };
    let note = text("note");
    Ok(match kind {
        EventKind::RecordVerification => (
            Event::RecordVerification {
                at_risk: yes("at_risk"),
            },
            note,
        ),
        EventKind::SignApplication => (Event::SignApplication, note),
        EventKind::RecordAppraisal => {
            let attendees = required("attendees", "参会人员")?;
            let opinions = required("opinions", "评议意见")?;
            (
                Event::RecordAppraisal {
                    approved: yes("approved"),
                    assembly_review: yes("assembly_review"),
                },
                Some(format!("参会人员：{attendees}；评议意见：{opinions}")),
            )
        }
        EventKind::RaiseObjection => (Event::RaiseObjection, note),
        EventKind::ResolveObjection => (Event::ResolveObjection { upheld: yes("upheld") }, note),
        EventKind::CloseNotice => (Event::CloseNotice, note),
        EventKind::CloseSecondNotice => (Event::CloseSecondNotice, note),
        EventKind::TownshipReview => (Event::TownshipReview { decision: decision()? }, note),
        EventKind::CountyDetermination => {
            let done: Vec<&JointCheck> = JOINT_CHECKS
                .iter()
                .filter(|c| yes(&format!("check_{}", c.key)))
                .collect();
            let all = joint_review::all_done(done.iter().map(|c| c.key));
            let done: Vec<&str> = done.iter().map(|c| c.zh).collect();
            let checks = format!(
                "部门联审：{}",
                if done.is_empty() {
                    "未比对".to_string()
                } else {
                    done.join("、")
                }
            );
            (
                Event::CountyDetermination {
                    decision: decision()?,
                    department_checks_done: all,
                },
                Some(match note {
                    Some(n) => format!("{checks}；{n}"),
                    None => checks,
                }),
            )
        }
        EventKind::RecordAssistance => {
            let measure = required("measure", "帮扶措施")?;
            let who = required("responsible", "责任人")?;
            let detail = note.map(|n| format!("；{n}")).unwrap_or_default();
            (
                Event::RecordAssistance,
                Some(format!("{measure}，责任人：{who}{detail}")),
            )
        }
        EventKind::RecordYearlyAssessment => (Event::RecordYearlyAssessment, note),
        // Sent without the home check, the core refuses it and says why.
        EventKind::StartElimination => (
            Event::StartElimination {
                consent: yes("consent"),
            },
            note,
        ),
        EventKind::Rollback => (Event::Rollback, note),
        EventKind::Remark => (Event::Remark, note),
        EventKind::Clear => (Event::Clear, note),
        EventKind::PopulationChange => (population_change(f)?, note),
        EventKind::HouseholdDissolved => (Event::HouseholdDissolved, note),
        EventKind::Withdraw => (Event::Withdraw, note),
        EventKind::Reinstate => (Event::Reinstate, note),
    })
}

/// 人口自然变更 from its form: names who left, and at most one person who joined.
fn population_change(f: &HashMap<String, String>) -> Result<Event, Text> {
    use zaofaxian_shared::household::{Health, Member};
    let text = |name: &str| f.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let removed = text("removed")
        .map(|r| zaofaxian_shared::text::typed_names(&r))
        .unwrap_or_default();
    let added = match text("added_name") {
        None => Vec::new(),
        Some(name) => {
            let birth_date = text("added_birth")
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| Text::new("请填写新增成员的出生日期", "enter the new member's birth date"))?;
            let labour = text("added_labour")
                .and_then(|c| LabourCapacity::from_code(&c))
                .unwrap_or(LabourCapacity::None);
            vec![Member {
                name,
                national_id: None,
                relationship: None,
                birth_date,
                labour,
                health: Health::Healthy,
                severe_disability: false,
                disabled_elderly: false,
                schooling: None,
                has_guardian_or_supporter: true,
            }]
        }
    };
    Ok(Event::PopulationChange { added, removed })
}

pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !staff.form_is_ours(f.get("csrf").map(String::as_str).unwrap_or_default()) {
        return super::stale_form();
    }
    let refused = |t: Text| Some(Err(t));
    let Some(kind) = f
        .get("event")
        .and_then(|k| serde_json::from_value::<EventKind>(Value::String(k.clone())).ok())
    else {
        return render(
            &state,
            &staff,
            &id,
            refused(Text::new("未知的办理事项", "unknown step")),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let Some(version) = f.get("version").and_then(|v| v.parse().ok()) else {
        return render(
            &state,
            &staff,
            &id,
            refused(Text::new("页面已过期，请刷新", "reload the page")),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    if kind.is_irreversible() && f.get("confirm").map(String::as_str) != Some("yes") {
        return render(
            &state,
            &staff,
            &id,
            refused(Text::new(
                "请勾选确认后再办理此不可撤销的事项",
                "tick the confirmation first: this step cannot be undone",
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let (event, note) = match event_from_form(kind, &f) {
        Ok(x) => x,
        Err(t) => return render(&state, &staff, &id, refused(t), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let req = EventRequest {
        expected_version: version,
        event,
        location: None,
        note,
        photos: Vec::new(),
        visit: None,
        category: f
            .get("category")
            .and_then(|c| serde_json::from_value(Value::String(c.clone())).ok()),
    };
    match apply_event(&state, &staff.caller(), &id, &req, None).await {
        Ok(_) => Redirect::to(&format!("/console/cases/{id}?done={}", crate::board::tag(&kind, None))).into_response(),
        // Not visible: the same 404 page as the API, so ids cannot be probed.
        Err(e) if e.status == StatusCode::NOT_FOUND => api_error_page(e),
        Err(e) => {
            let status = e.status;
            render(&state, &staff, &id, refused(e.message), status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn county_determination_needs_every_department_check() {
        let some = form(&[("decision", "approve"), ("check_hukou", "on")]);
        let (e, note) = event_from_form(EventKind::CountyDetermination, &some).unwrap();
        assert_eq!(
            e,
            Event::CountyDetermination {
                decision: Decision::Approve,
                department_checks_done: false
            }
        );
        assert!(note.unwrap().contains("部门联审：户口"));
        let mut all = form(&[("decision", "approve")]);
        for c in JOINT_CHECKS {
            all.insert(format!("check_{}", c.key), "on".into());
        }
        assert!(matches!(
            event_from_form(EventKind::CountyDetermination, &all).unwrap().0,
            Event::CountyDetermination {
                department_checks_done: true,
                ..
            }
        ));
    }

    /// The visit's members as the console lists them: relationship and labour in words,
    /// the ID number masked.
    #[test]
    fn a_visits_members_are_listed_in_words() {
        let v = serde_json::json!({ "visit": {
            "visited_on": "2025-11-03",
            "members": [
                { "name": "王秀英", "relationship": "head", "national_id": "11010519491231002X",
                  "birth_date": "1949-12-31", "labour": "lost", "health": "serious" },
                { "name": "李小明", "relationship": "grandchild", "birth_date": "2015-01-01",
                  "labour": "none", "health": "healthy" }
            ]
        } });
        let html = visit_section(&v, None, Lang::Zh).into_string();
        for shown in ["户主", "孙子女", "丧失劳动力", "无劳动力", "大病重病"] {
            assert!(html.contains(shown), "{shown}: {html}");
        }
        assert!(!html.contains("11010519491231002X"), "the ID number is masked: {html}");
    }

    #[test]
    fn appraisal_and_assistance_keep_their_details_in_the_note() {
        let f = form(&[
            ("approved", "true"),
            ("attendees", "村两委5人、村民代表12人"),
            ("opinions", "一致同意"),
        ]);
        let (e, note) = event_from_form(EventKind::RecordAppraisal, &f).unwrap();
        assert_eq!(
            e,
            Event::RecordAppraisal {
                approved: true,
                assembly_review: false
            }
        );
        assert_eq!(note.unwrap(), "参会人员：村两委5人、村民代表12人；评议意见：一致同意");
        let missing = event_from_form(EventKind::RecordAppraisal, &form(&[("approved", "true")])).unwrap_err();
        assert!(missing.zh.contains("参会人员"));
        let f = form(&[("measure", "健康帮扶"), ("responsible", "李村长")]);
        assert_eq!(
            event_from_form(EventKind::RecordAssistance, &f).unwrap().1.unwrap(),
            "健康帮扶，责任人：李村长"
        );
    }
}
