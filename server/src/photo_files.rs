//! Where photo and voice-note files live: a folder on this machine (the embedded
//! default) or a bucket of S3-compatible object storage, which several server
//! processes share. Both go through `object_store`, so every handler is the same code.
//!
//! A filed upload is `<first two hex digits>/<sha256><suffix>` (the layout the folder
//! has always had). An unfinished upload is one object per chunk,
//! `uploads/<name>/<offset>`: object storage cannot write into the middle of an object,
//! and a chunk is fixed by the file's hash, so two processes writing the same chunk
//! write the same bytes. The chunks are put together and hashed before anything is filed.

use axum::body::Bytes;
use futures_util::TryStreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use object_store::Error;
pub type FilesResult<T> = Result<T, Error>;

/// One of the files a finished upload leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    Photo,
    Thumbnail,
    Voice,
}

impl Filed {
    fn suffix(self) -> &'static str {
        match self {
            Filed::Photo => ".jpg",
            Filed::Thumbnail => ".thumb.jpg",
            Filed::Voice => ".voice",
        }
    }

    /// The key of this file of the upload `sha` (a folder store's path under its folder).
    pub fn key(self, sha: &str) -> String {
        format!("{}/{sha}{}", &sha[..2.min(sha.len())], self.suffix())
    }
}

/// The photo store of this process.
#[derive(Debug, Clone)]
pub struct PhotoFiles {
    store: Arc<dyn ObjectStore>,
    place: Place,
}

/// Where the store is: the folder (backups copy from it), or the bucket's name.
#[derive(Debug, Clone)]
enum Place {
    Folder(PathBuf),
    Bucket(String),
}

/// The digits of a chunk's offset: names sort in offset order (files are at most 10 MB).
const OFFSET_DIGITS: usize = 12;

impl PhotoFiles {
    /// A folder on this machine, made private to this service's user if new. Writes are
    /// synced to disk before they are acknowledged, as object storage does.
    pub fn folder(dir: &Path) -> std::io::Result<PhotoFiles> {
        crate::photos::private_dir(dir)?;
        adopt_partial_files(dir)?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(std::io::Error::other)?
            .with_fsync(true);
        Ok(PhotoFiles {
            store: Arc::new(local),
            place: Place::Folder(dir.to_path_buf()),
        })
    }

    /// A bucket of S3-compatible storage. Where and how to reach it comes from the
    /// standard `AWS_*` variables (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` for a plain-HTTP emulator).
    pub fn bucket(name: &str) -> FilesResult<PhotoFiles> {
        // The workspace's reqwest has no default TLS provider (see Cargo.toml).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(name)
            .build()?;
        Ok(PhotoFiles {
            store: Arc::new(s3),
            place: Place::Bucket(name.to_string()),
        })
    }

    /// The folder, when the files are on this machine.
    pub fn folder_path(&self) -> Option<&Path> {
        match &self.place {
            Place::Folder(dir) => Some(dir),
            Place::Bucket(_) => None,
        }
    }

    /// Where the files are, for the log.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Folder(dir) => dir.display().to_string(),
            Place::Bucket(name) => format!("s3://{name}"),
        }
    }

    fn chunk_key(upload: &str, offset: u64) -> Key {
        Key::from(format!("uploads/{upload}/{offset:0width$}", width = OFFSET_DIGITS))
    }

    /// Keeps one chunk of the unfinished upload `upload` (a photo's hash, or a claim's
    /// file name) at `offset`.
    pub async fn put_chunk(&self, upload: &str, offset: u64, bytes: Bytes) -> FilesResult<()> {
        self.store
            .put(&Self::chunk_key(upload, offset), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The chunks of an upload, by offset.
    async fn chunks(&self, upload: &str) -> FilesResult<Vec<(u64, Key)>> {
        let prefix = Key::from(format!("uploads/{upload}"));
        let listed: Vec<_> = self.store.list(Some(&prefix)).try_collect().await?;
        let mut chunks: Vec<(u64, Key)> = listed
            .into_iter()
            .filter_map(|m| {
                let offset = m.location.filename()?.parse().ok()?;
                Some((offset, m.location))
            })
            .collect();
        chunks.sort_by_key(|(o, _)| *o);
        Ok(chunks)
    }

    /// Up to `limit` bytes from the start of an upload: its first chunk, for the header
    /// that says what checking it will cost. Empty when there is no first chunk.
    pub async fn upload_head(&self, upload: &str, limit: u64) -> FilesResult<Bytes> {
        match self.store.get(&Self::chunk_key(upload, 0)).await {
            Ok(r) => {
                let all = r.bytes().await?;
                Ok(all.slice(..all.len().min(limit as usize)))
            }
            Err(Error::NotFound { .. }) => Ok(Bytes::new()),
            Err(e) => Err(e),
        }
    }

    /// The first `size` bytes of an upload, put together from its chunks (a chunk sent
    /// twice, or overlapping another, counts once); None when a gap is left.
    pub async fn gather(&self, upload: &str, size: u64) -> FilesResult<Option<Vec<u8>>> {
        let mut data = Vec::with_capacity(size as usize);
        for (offset, key) in self.chunks(upload).await? {
            let have = data.len() as u64;
            if have >= size {
                break;
            }
            if offset > have {
                return Ok(None);
            }
            let bytes = match self.store.get(&key).await {
                Ok(r) => r.bytes().await?,
                // Removed meanwhile by a process that filed the upload.
                Err(Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(e),
            };
            let skip = (have - offset) as usize;
            if bytes.len() > skip {
                data.extend_from_slice(&bytes[skip..]);
            }
        }
        if (data.len() as u64) < size {
            return Ok(None);
        }
        data.truncate(size as usize);
        Ok(Some(data))
    }

    /// Forgets an unfinished upload's chunks.
    pub async fn drop_upload(&self, upload: &str) -> FilesResult<()> {
        for (_, key) in self.chunks(upload).await? {
            match self.store.delete(&key).await {
                Ok(()) | Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        if let Some(dir) = self.folder_path() {
            // The folder a local upload's chunks were in (object storage has none).
            let _ = std::fs::remove_dir(dir.join("uploads").join(upload));
        }
        Ok(())
    }

    pub async fn put(&self, sha: &str, file: Filed, bytes: Vec<u8>) -> FilesResult<()> {
        self.store
            .put(&Key::from(file.key(sha)), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// A filed file; None when there is none.
    pub async fn get(&self, sha: &str, file: Filed) -> FilesResult<Option<Bytes>> {
        match self.store.get(&Key::from(file.key(sha))).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn exists(&self, sha: &str, file: Filed) -> FilesResult<bool> {
        match self.store.head(&Key::from(file.key(sha))).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// An older release kept an unfinished upload as one file, `partial/<name>`, holding its
/// bytes from the start: it becomes the upload's first chunk, so the upload resumes
/// where it stood. (Renames: a second process starting at once finds nothing left.)
fn adopt_partial_files(dir: &Path) -> std::io::Result<()> {
    let old = dir.join("partial");
    let Ok(entries) = std::fs::read_dir(&old) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry?;
        let to = dir.join("uploads").join(entry.file_name());
        std::fs::create_dir_all(&to)?;
        match std::fs::rename(entry.path(), to.join(format!("{:0width$}", 0, width = OFFSET_DIGITS))) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let _ = std::fs::remove_dir(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunks_sent_twice_or_overlapping_are_put_together_once() {
        let dir = tempfile::tempdir().unwrap();
        let files = PhotoFiles::folder(&dir.path().join("photos")).unwrap();
        let file: Vec<u8> = (0..250u32).map(|i| (i % 251) as u8).collect();
        // 0..100, 100..200 twice, then a resend from 150 with a different chunk size.
        for (from, to) in [(0, 100), (100, 200), (100, 200), (150, 250)] {
            files
                .put_chunk("abc", from as u64, Bytes::copy_from_slice(&file[from..to]))
                .await
                .unwrap();
        }
        assert_eq!(files.gather("abc", 250).await.unwrap(), Some(file.clone()));
        assert_eq!(files.upload_head("abc", 10).await.unwrap(), &file[..10]);
        // A gap is no file; nor is a short one.
        files.put_chunk("gap", 0, Bytes::from_static(b"0123")).await.unwrap();
        files.put_chunk("gap", 6, Bytes::from_static(b"6789")).await.unwrap();
        assert_eq!(files.gather("gap", 10).await.unwrap(), None);
        assert_eq!(files.gather("abc", 251).await.unwrap(), None);
        files.drop_upload("abc").await.unwrap();
        assert_eq!(files.gather("abc", 250).await.unwrap(), None);
        assert!(!dir.path().join("photos/uploads/abc").exists());
    }

    /// An upload under way when the server was upgraded resumes from what it had.
    #[tokio::test]
    async fn an_older_releases_partial_file_becomes_the_first_chunk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("partial")).unwrap();
        std::fs::write(dir.path().join("partial/abc"), b"01234").unwrap();
        let files = PhotoFiles::folder(dir.path()).unwrap();
        assert!(!dir.path().join("partial").exists());
        files.put_chunk("abc", 5, Bytes::from_static(b"56789")).await.unwrap();
        assert_eq!(files.gather("abc", 10).await.unwrap(), Some(b"0123456789".to_vec()));
    }

    #[tokio::test]
    async fn filed_files_keep_the_folders_layout() {
        let dir = tempfile::tempdir().unwrap();
        let files = PhotoFiles::folder(dir.path()).unwrap();
        let sha = "ab".repeat(32);
        files.put(&sha, Filed::Photo, b"jpeg".to_vec()).await.unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("ab").join(format!("{sha}.jpg"))).unwrap(),
            b"jpeg"
        );
        assert!(files.exists(&sha, Filed::Photo).await.unwrap());
        assert!(!files.exists(&sha, Filed::Voice).await.unwrap());
        assert_eq!(files.get(&sha, Filed::Thumbnail).await.unwrap(), None);
    }
}
