//! Accounts a county can manage, on both backends: create staff (password shown once),
//! disable (sessions end at once, also in another server process), reset a password,
//! change one's own, sign out everywhere; the audit trail; a household's devices.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use serde_json::json;
use zaofaxian_server::state::AppState;
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;

const COUNTY: &str = "530402000000";
const VILLAGE: &str = "530402001001";

async fn console(app: &TestApp, login: &str, password: &str) -> (String, String) {
    let cookie = app.console_cookie(login, password).await;
    let page = app.console_page(&cookie, "/console/account").await;
    (cookie, common::form_token(&page).unwrap())
}

async fn post(app: &TestApp, who: &(String, String), path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let mut fields = vec![("csrf", who.1.as_str())];
    fields.extend_from_slice(form);
    let r = app
        .http
        .post(app.url(path))
        .header("cookie", &who.0)
        .form(&fields)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn shown_password(page: &str) -> String {
    let after = page
        .split("<code style=\"font-size:20px\">")
        .nth(1)
        .expect("a password is shown once");
    after.split('<').next().unwrap().to_string()
}

async fn api_login(app: &TestApp, login: &str, password: &str) -> (u16, serde_json::Value) {
    app.post(
        "",
        "/api/v1/auth/login",
        &json!({ "login": login, "password": password }),
    )
    .await
}

#[tokio::test]
async fn a_county_manages_its_staff() {
    for app in common::apps("2026-12-01").await {
        let name = app.db.name;
        app.staff("county", Role::County, COUNTY).await;
        let county = console(&app, "county", "password-123").await;

        // Create a village cadre: the password is generated and shown once.
        let (s, page) = post(
            &app,
            &county,
            "/console/accounts",
            &[
                ("action", "create"),
                ("login", "li-cadre"),
                ("name", "李村长"),
                ("role", "village_cadre"),
                ("division", VILLAGE),
                ("phone", "13900001111"),
            ],
        )
        .await;
        assert_eq!(s, 200, "{name}: {page}");
        let made = app.db.store.account_by_login("li-cadre").await.unwrap().unwrap();
        assert_eq!(
            app.db.store.staff_phone(&made.id).await.unwrap().as_deref(),
            Some("13900001111"),
            "{name}: the work phone households will see"
        );
        let first = shown_password(&page);
        assert_eq!(first.len(), 12);
        let (s, v) = api_login(&app, "li-cadre", &first).await;
        assert_eq!(s, 200, "{name}: {v}");
        let token = v["token"].as_str().unwrap().to_string();
        assert!(
            !app.console_page(&county.0, "/console/accounts").await.contains(&first),
            "shown once only"
        );

        // Not an administrator, not another county.
        // A work phone that is no mobile number is refused with the account.
        for (role, division, phone) in [
            ("admin", COUNTY, ""),
            ("county", COUNTY, ""),
            ("village_cadre", "530402101001", ""),
            ("village_cadre", "532932100201", ""),
            ("village_cadre", VILLAGE, "12345"),
        ] {
            let (s, page) = post(
                &app,
                &county,
                "/console/accounts",
                &[
                    ("action", "create"),
                    ("login", "x1"),
                    ("name", "某"),
                    ("role", role),
                    ("division", division),
                    ("phone", phone),
                ],
            )
            .await;
            assert_eq!(s, 422, "{name}: {role} {division} {phone}: {page}");
        }

        // A second server process on the same database, with the cadre's session cached.
        let other = AppState::new(
            app.db.store.clone(),
            app.clock.clone(),
            app.codes.clone(),
            app.photos.clone(),
        );
        other.load_reference().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let other_base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(zaofaxian_server::http::serve_on(
            listener,
            zaofaxian_server::http::app(other.clone()),
        ));
        let me_there = || {
            app.http
                .get(format!("{other_base}/api/v1/me"))
                .bearer_auth(&token)
                .send()
        };
        assert_eq!(me_there().await.unwrap().status(), 200);

        // Disable: its sessions end here and in the other process at once.
        let (s, page) = post(
            &app,
            &county,
            "/console/accounts",
            &[("action", "disable"), ("login", "li-cadre")],
        )
        .await;
        assert_eq!(s, 200, "{name}: {page}");
        assert_eq!(app.get(&token, "/api/v1/me").await.0, 401);
        assert_eq!(
            me_there().await.unwrap().status(),
            401,
            "{name}: the other process still let the disabled account in"
        );
        let (s, v) = api_login(&app, "li-cadre", &first).await;
        assert_eq!((s, v["code"].as_str()), (403, Some("account_disabled")), "{name}");
        let (s, _) = api_login(&app, "li-cadre", "wrong-password").await;
        assert_eq!(s, 401, "a wrong password says nothing about the account");

        // Enable and reset: the old password stops, the new one (shown once) works.
        post(
            &app,
            &county,
            "/console/accounts",
            &[("action", "enable"), ("login", "li-cadre")],
        )
        .await;
        let (s, page) = post(
            &app,
            &county,
            "/console/accounts",
            &[("action", "reset"), ("login", "li-cadre")],
        )
        .await;
        assert_eq!(s, 200);
        let second = shown_password(&page);
        assert_ne!(first, second);
        assert_eq!(api_login(&app, "li-cadre", &first).await.0, 401);
        assert_eq!(api_login(&app, "li-cadre", &second).await.0, 200);

        // The cadre changes the password; other sign-ins end, this one goes on.
        let cadre = console(&app, "li-cadre", &second).await;
        let (_, v) = api_login(&app, "li-cadre", &second).await;
        let phone_token = v["token"].as_str().unwrap().to_string();
        let (s, _) = post(
            &app,
            &cadre,
            "/console/account",
            &[("action", "password"), ("current", "not-it"), ("new", "a-new-password")],
        )
        .await;
        assert_eq!(s, 422);
        let (s, page) = post(
            &app,
            &cadre,
            "/console/account",
            &[("action", "password"), ("current", &second), ("new", "a-new-password")],
        )
        .await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(
            app.get(&phone_token, "/api/v1/me").await.0,
            401,
            "{name}: the phone's session ended"
        );
        assert!(
            app.console_page(&cadre.0, "/console/account")
                .await
                .contains("我的账号"),
            "this session goes on"
        );
        assert_eq!(api_login(&app, "li-cadre", "a-new-password").await.0, 200);
        // A cadre manages no accounts.
        let (s, _) = post(
            &app,
            &cadre,
            "/console/accounts",
            &[("action", "disable"), ("login", "county")],
        )
        .await;
        assert_eq!(s, 422);

        // Every action is in the trail.
        let trail = app.console_page(&county.0, "/console/accounts").await;
        for action in ["create", "disable", "enable", "reset_password", "change_password"] {
            assert!(trail.contains(&format!(" · {action} · ")), "{name}: {action} missing");
        }
    }
}

#[tokio::test]
async fn a_household_sees_its_devices_and_signs_the_others_out() {
    for app in common::apps("2026-12-01").await {
        let name = app.db.name;
        let phone = app.household("13812345678").await;
        let old_phone = app.household("13812345678").await;
        let (s, list) = app.get(&phone, "/api/v1/me/devices").await;
        assert_eq!(s, 200);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 2, "{name}");
        assert_eq!(list.iter().filter(|d| d["current"] == true).count(), 1);
        assert!(list.iter().all(|d| d["id"].as_str().unwrap().len() == 8));
        let (s, v) = app.post(&phone, "/api/v1/me/devices/sign-out-others", &json!({})).await;
        assert_eq!((s, v["ended"].as_i64()), (200, Some(1)), "{name}");
        assert_eq!(app.get(&old_phone, "/api/v1/me").await.0, 401);
        assert_eq!(app.get(&phone, "/api/v1/me").await.0, 200);
    }
}
