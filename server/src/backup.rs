//! `admin backup DIR` and `admin restore DIR` for the embedded default: a consistent copy
//! of the SQLite file taken while the server runs, the photo and voice files it names,
//! and a manifest of every file's SHA-256 (`MANIFEST.sha256`, the format `sha256sum -c`
//! reads). A restore checks every hash before it writes anything. PostgreSQL is backed
//! up with its own tools (README, 备份与恢复).

use crate::config::Config;
use crate::store::{SqlStore, Store};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The database file's name inside a backup.
const DATABASE: &str = "zaofaxian.sqlite";
/// The photo folder's name inside a backup.
const PHOTOS: &str = "photos";
const MANIFEST: &str = "MANIFEST.sha256";

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Photos and voice notes (their thumbnails beside them are not counted).
    pub photos: usize,
    pub files: usize,
    pub bytes: u64,
}

fn sqlite_file(config: &Config) -> Result<PathBuf, String> {
    if let Some(bucket) = &config.photo_bucket {
        return Err(format!(
            "照片在存储桶 {bucket} 中：请开启桶的版本控制，数据库用其自身工具备份（见 README 备份与恢复）/ the photos are in the bucket {bucket}: keep them with the bucket's versioning, and the database with its own tools (README, 备份与恢复)"
        ));
    }
    let url = &config.database_url;
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(
            "PostgreSQL 请用 pg_dump 备份、pg_restore 恢复，照片存储另行备份（见 README 备份与恢复）/ back PostgreSQL up with pg_dump and restore it with pg_restore (README, 备份与恢复)"
                .into(),
        );
    };
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return Err(format!("没有数据库文件 / no database file in {url}"));
    }
    Ok(PathBuf::from(path))
}

fn io(what: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", what.display())
}

fn sha256_file(path: &Path) -> Result<(String, u64), String> {
    let mut f = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut hasher = Sha256::new();
    let n = std::io::copy(&mut f, &mut hasher).map_err(|e| io(path, e))?;
    Ok((hex::encode(hasher.finalize()), n))
}

/// An empty or absent folder, made private.
fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() && std::fs::read_dir(dir).map_err(|e| io(dir, e))?.next().is_some() {
        return Err(format!("{} 不是空目录 / is not empty", dir.display()));
    }
    crate::photos::private_dir(dir).map_err(|e| io(dir, e))
}

/// The files kept for one photo or voice note `sha`: the original (named by its own
/// hash) and its thumbnail, relative to the photo folder.
fn files_of(photo_dir: &Path, sha: &str) -> Vec<PathBuf> {
    use crate::photo_files::Filed;
    [Filed::Photo, Filed::Thumbnail, Filed::Voice]
        .iter()
        .map(|file| PathBuf::from(file.key(sha)))
        .filter(|rel| photo_dir.join(rel).is_file())
        .collect()
}

/// Backs the configured SQLite store and its photos up into `out` (a new or empty
/// folder) while the server may be running: the database first (one snapshot), then
/// every photo that snapshot holds in full. Photos are never changed once complete, so
/// copying them after the snapshot is consistent with it.
pub async fn backup(config: &Config, out: &Path) -> Result<Copied, String> {
    let source = sqlite_file(config)?;
    if !source.exists() {
        return Err(format!("没有数据库文件 / no database at {}", source.display()));
    }
    fresh_dir(out)?;
    let store = SqlStore::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let db = out.join(DATABASE);
    store.snapshot_into(&db).await.map_err(|e| e.to_string())?;
    store.close().await;
    let snapshot = SqlStore::connect(&format!("sqlite://{}", db.display()))
        .await
        .map_err(|e| e.to_string())?;
    let photos = snapshot.complete_photos().await.map_err(|e| e.to_string())?;
    snapshot.close().await;

    let mut manifest = Vec::new();
    let (sha, bytes) = sha256_file(&db)?;
    manifest.push(format!("{sha}  {DATABASE}"));
    let mut copied = Copied {
        photos: 0,
        files: 1,
        bytes,
    };
    let mut missing = Vec::new();
    for photo in &photos {
        let files = files_of(&config.photo_dir, photo);
        if !files.iter().any(|f| !f.to_string_lossy().ends_with(".thumb.jpg")) {
            missing.push(photo.clone());
            continue;
        }
        for rel in files {
            let from = config.photo_dir.join(&rel);
            let to = out.join(PHOTOS).join(&rel);
            if let Some(parent) = to.parent() {
                crate::photos::private_dir(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::copy(&from, &to).map_err(|e| io(&from, e))?;
            let (sha, n) = sha256_file(&to)?;
            // The original is named by its hash: a file that is not what its name
            // says is damaged, and a backup of it would hide that.
            let name = rel
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !name.contains(".thumb.") && !name.starts_with(&sha) {
                return Err(format!(
                    "{} 已损坏（内容与文件名的哈希不符）/ is damaged (its content does not match its name)",
                    from.display()
                ));
            }
            manifest.push(format!("{sha}  {PHOTOS}/{}", rel.display()));
            copied.files += 1;
            copied.bytes += n;
        }
        copied.photos += 1;
    }
    if !missing.is_empty() {
        return Err(format!(
            "数据库记录了{}张照片，但照片目录中没有 / {} photos the database holds are not in the photo folder: {}",
            missing.len(),
            missing.len(),
            missing.join(", ")
        ));
    }
    manifest.push(String::new());
    let path = out.join(MANIFEST);
    std::fs::write(&path, manifest.join("\n")).map_err(|e| io(&path, e))?;
    Ok(copied)
}

/// One manifest line: the hash and the path inside the backup (no way out of it).
fn manifest_entry(line: &str) -> Option<(&str, PathBuf)> {
    let (sha, rel) = line.split_once("  ")?;
    let rel = PathBuf::from(rel);
    let inside = rel.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    (sha.len() == 64 && inside).then_some((sha, rel))
}

/// Restores a backup into the configured SQLite file (which must not exist yet) and
/// photo folder (new or empty). Every file's hash is checked first: a damaged backup
/// writes nothing.
pub async fn restore(config: &Config, from: &Path) -> Result<Copied, String> {
    let target = sqlite_file(config)?;
    if target.exists() {
        return Err(format!(
            "{} 已存在：恢复只写入新的数据库文件 / exists: a restore writes a new database file only",
            target.display()
        ));
    }
    let manifest_path = from.join(MANIFEST);
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|e| io(&manifest_path, e))?;
    let mut entries = Vec::new();
    let mut damaged = Vec::new();
    for line in manifest.lines().filter(|l| !l.is_empty()) {
        let Some((sha, rel)) = manifest_entry(line) else {
            return Err(format!("清单有误 / bad manifest line: {line}"));
        };
        match sha256_file(&from.join(&rel)) {
            Ok((actual, _)) if actual == sha => entries.push(rel),
            _ => damaged.push(rel.display().to_string()),
        }
    }
    if !damaged.is_empty() {
        return Err(format!(
            "备份已损坏，未作任何恢复 / the backup is damaged, nothing was restored: {}",
            damaged.join(", ")
        ));
    }
    if !entries.iter().any(|r| r == Path::new(DATABASE)) {
        return Err(format!("清单中没有 {DATABASE} / the manifest lists no {DATABASE}"));
    }
    fresh_dir(&config.photo_dir)?;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::photos::private_dir(parent).map_err(|e| io(parent, e))?;
    }
    let mut copied = Copied {
        photos: 0,
        files: 0,
        bytes: 0,
    };
    for rel in &entries {
        let (to, photo) = match rel.strip_prefix(PHOTOS) {
            Ok(inside) => (config.photo_dir.join(inside), true),
            Err(_) => (target.clone(), false),
        };
        if let Some(parent) = to.parent() {
            crate::photos::private_dir(parent).map_err(|e| io(parent, e))?;
        }
        let n = std::fs::copy(from.join(rel), &to).map_err(|e| io(&to, e))?;
        crate::photos::restrict(&to, 0o600).map_err(|e| io(&to, e))?;
        copied.files += 1;
        copied.bytes += n;
        copied.photos += usize::from(photo && !rel.to_string_lossy().contains(".thumb."));
    }
    // The restored store opens and is at this release's schema.
    let store = SqlStore::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    store.close().await;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_line_stays_inside_the_backup() {
        let sha = "a".repeat(64);
        assert_eq!(
            manifest_entry(&format!("{sha}  photos/aa/x.jpg")).map(|(_, p)| p),
            Some(PathBuf::from("photos/aa/x.jpg"))
        );
        assert_eq!(manifest_entry(&format!("{sha}  ../etc/passwd")), None);
        assert_eq!(manifest_entry(&format!("{sha}  /etc/passwd")), None);
        assert_eq!(manifest_entry("abc  zaofaxian.sqlite"), None);
    }

    #[test]
    fn postgres_is_backed_up_with_its_own_tools() {
        let config = Config {
            database_url: "postgres://localhost/z".into(),
            ..Config::default()
        };
        assert!(sqlite_file(&config).unwrap_err().contains("pg_dump"));
        let in_a_bucket = Config {
            photo_bucket: Some("photos".into()),
            ..Config::default()
        };
        assert!(sqlite_file(&in_a_bucket).unwrap_err().contains("versioning"));
    }
}
