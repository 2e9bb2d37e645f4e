//! The `loket` binary as a new user runs it: the console demo from the
//! README, and `loket sandbox` answering a client that signs per SPEC §1
//! on its own (sha1 + base64 here, not loket's code).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

fn sign(fields: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(Sha1::digest(fields.join("|").as_bytes()))
}

#[test]
fn version_flag_prints_the_name_and_version_and_needs_no_settings() {
    let output = Command::new(env!("CARGO_BIN_EXE_loket"))
        .arg("--version")
        // A setting that would stop any subcommand does not stop --version.
        .env("LOKET_GATEWAY_TIMEOUT", "not a number")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        format!("loket {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn readme_console_demo_shows_balance_bill_payment_and_topup() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .arg("console")
        .env_remove("LOKET_DATA_DIR")
        .env_remove("LOKET_CONFIG")
        .env_remove("LOKET_GATEWAY_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"saldo\nPLNPASC 546302215889 cek\nPLNPASC 546302215889 bayar\nT10 087712345678\n",
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    let balance = out.find("Saldo DEMO: Rp5.000.000").expect(&out);
    let bill = out.find("Total: Rp302.750").expect(&out);
    let paid = out.find("Pembayaran berhasil").expect(&out);
    let topup = out.find("Isi ulang berhasil").expect(&out);
    assert!(balance < bill && bill < paid && paid < topup, "{out}");
    assert!(!out.contains("gagal"), "{out}");
}

#[test]
fn sandbox_binary_answers_an_independent_signing_client() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["sandbox", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(async {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        let balance_url =
            format!("{base}/V1/http-get/balance?memberID=DEMO&sign={}", sign(&["R-ONE", "DEMO", "", "", "", "0000", "demo"]));
        let balance = loop {
            match client.get(&balance_url).send().await {
                Ok(r) => break r.text().await.unwrap(),
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(e) => panic!("sandbox never answered: {e}"),
            }
        };
        let topup_sign = sign(&["R-ONE", "DEMO", "T10", "087712345678", "IND1", "0000", "demo"]);
        let topup = client
            .get(format!(
                "{base}/V1/http-get?product=T10&dest=087712345678&refID=IND1&memberID=DEMO&qty=1&sign={topup_sign}"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let bad = client
            .get(format!("{base}/V1/http-get?product=T10&dest=087712345678&refID=IND2&memberID=DEMO&qty=1&sign=x"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (balance, topup, bad)
    });
    child.kill().ok();
    child.wait().ok();
    let (balance, topup, bad) = result;
    assert!(balance.starts_with("saldo=5000000  @ "), "{balance}");
    assert!(
        topup.starts_with("TRX T10.087712345678 SUKSES, HRG:11000 SN:"),
        "{topup}"
    );
    assert!(topup.contains("REFID:IND1"), "{topup}");
    assert!(bad.contains("GAGAL") && bad.contains("sign"), "{bad}");
}

/// `loket console --dialect NAME` runs the same demo against a sandbox
/// that answers in another center's templates.
#[test]
fn console_demo_works_in_every_dialect() {
    for dialect in ["otomax", "sisa", "kv"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
            .args(["console", "--dialect", dialect])
            .env_remove("LOKET_DATA_DIR")
            .env_remove("LOKET_CONFIG")
            .env_remove("LOKET_GATEWAY_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"saldo\nPLNPASC 546302215889 cek\n1\nT10 087712345678\n")
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let out = String::from_utf8(output.stdout).unwrap();
        for want in [
            "Rp5.000.000",
            "Total: Rp302.750",
            "Pembayaran berhasil",
            "Isi ulang berhasil",
        ] {
            assert!(out.contains(want), "{dialect}: no {want:?} in {out}");
        }
    }
}

/// A rules file with a bad line stops loket at start, naming the line.
#[test]
fn a_bad_reply_rule_stops_loket_naming_its_line() {
    let dir = std::env::temp_dir().join(format!("loket-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.txt");
    std::fs::write(&rules, "success telah sukses\nsn Voucher (\\S+\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_loket"))
        .arg("console")
        .env("LOKET_REPLY_RULES", &rules)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("LOKET_REPLY_RULES") && err.contains("line 2"),
        "{err}"
    );
}

/// `loket probe` prints the raw reply beside how loket read it, and never
/// the PIN, the key or the sign.
#[test]
fn probe_shows_raw_replies_and_no_secret() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args([
            "sandbox",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--dialect",
            "otomax",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "sandbox did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args([
            "probe",
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "--member",
            "DEMO",
            "--ref",
            "LNOSUCHREF1",
            "--product",
            "T10",
            "--dest",
            "087712345678",
        ])
        .env("LOKET_PROBE_PIN", "0000")
        .env("LOKET_PROBE_KEY", "demo")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    sandbox.kill().unwrap();
    let _ = sandbox.wait();
    let out = String::from_utf8(output.stdout).unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{out}{err}");
    assert!(out.contains("Saldo Anda Rp 5.000.000"), "{out}");
    assert!(out.contains("read as   : balance Rp5.000.000"), "{out}");
    assert!(out.contains("Transaksi tidak ditemukan"), "{out}");
    assert!(out.contains("verdict if Topup: NotRecorded"), "{out}");
    let sign = sign(&["R-ONE", "DEMO", "", "", "", "0000", "demo"]);
    for secret in ["0000", "demo", sign.as_str()] {
        assert!(!out.contains(&format!("={secret}")), "{secret} in {out}");
        assert!(!err.contains(secret), "{secret} in {err}");
    }
    assert!(out.contains("sign=***"), "{out}");
}

/// Issue 12 from the README: a price and a shop set in the console, a
/// topup sold, its receipt written as a PNG file, and `loket export`
/// writing the month's CSV from the same data dir once the console stopped.
#[test]
fn the_console_sells_at_the_shops_price_and_loket_export_writes_the_month() {
    let dir = std::env::temp_dir().join(format!("loket-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = dir.join("files");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .arg("console")
        .env("LOKET_DATA_DIR", &dir)
        .env("LOKET_CONSOLE_FILES", &files)
        .env_remove("LOKET_CONFIG")
        .env_remove("LOKET_GATEWAY_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"jual T10 12000\n/toko Konter Berkah\nT10 087712345678\n1\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(
        out.contains("Tagih pelanggan: Rp12.000 (laba Rp1.000)"),
        "{out}"
    );
    assert!(out.contains("KONTER BERKAH"), "{out}");
    let png = std::fs::read_dir(&files)
        .unwrap()
        .filter_map(Result::ok)
        .find(|f| f.file_name().to_string_lossy().starts_with("struk-"))
        .expect("the receipt's PNG was written");
    assert!(out.contains(&png.path().display().to_string()), "{out}");
    assert_eq!(&std::fs::read(png.path()).unwrap()[..4], b"\x89PNG");

    let wib = chrono::Utc::now() + chrono::Duration::hours(7);
    let month = wib.format("%Y-%m").to_string();
    let export = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["export", "--month", &month, "--owner"])
        .arg(loket::console::CONSOLE_CHAT.to_string())
        .env("LOKET_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(export.status.success(), "{export:?}");
    let csv = String::from_utf8(export.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with("waktu_wib,refid,produk,nomor_pelanggan"),
        "{csv}"
    );
    assert!(
        lines[1].contains(",T10,087712345678,isi ulang,berhasil,11000,12000,1000,"),
        "{csv}"
    );
    // A month that is not one is refused, naming the flag.
    let bad = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["export", "--month", "2026-13", "--owner", "1"])
        .env("LOKET_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--month"),
        "{bad:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
