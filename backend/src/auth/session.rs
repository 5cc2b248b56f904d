//! Browser sessions and sign-ins under way, kept in the store so they survive a restart. The
//! cookie carries 256 random bits; the database holds their SHA-256 only. Tokens stay here,
//! server-side: the browser never sees them.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::AuthError;
use crate::acl::Principal;
use crate::store::{Store, StoreError};

/// How long a sign-in may take between `/auth/login` and `/auth/callback`.
pub const LOGIN_TTL_S: i64 = 600;
/// Sign-ins under way at most (a flood of `/auth/login` cannot fill the disk).
pub const MAX_PENDING_LOGINS: i64 = 10_000;

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub principal: Principal,
    pub csrf_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    /// Unix seconds.
    pub access_expires_at: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What a sign-in needs back at the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Tokens from the issuer, with the principal their access token yields.
#[derive(Debug, Clone)]
pub struct Grant {
    pub principal: Principal,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub access_expires_at: i64,
}

#[derive(Clone)]
pub struct SessionStore {
    store: Store,
}

impl SessionStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Starts a session for `grant`; answers the cookie value (the only copy of the id).
    pub async fn create(
        &self,
        grant: &Grant,
        lifetime_s: i64,
    ) -> Result<(String, Session), AuthError> {
        let id = random_token()?;
        let now = now_s();
        let session = Session {
            id_hash: hash(&id),
            principal: grant.principal.clone(),
            csrf_token: random_token()?,
            access_token: grant.access_token.clone(),
            refresh_token: grant.refresh_token.clone(),
            id_token: grant.id_token.clone(),
            access_expires_at: grant.access_expires_at,
            created_at: now,
            expires_at: now + lifetime_s,
        };
        sqlx::query(
            "INSERT INTO sessions (id_hash, principal, csrf_token, access_token, refresh_token,
                 id_token, access_expires_at, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&session.id_hash)
        .bind(principal_json(&session.principal)?)
        .bind(&session.csrf_token)
        .bind(&session.access_token)
        .bind(&session.refresh_token)
        .bind(&session.id_token)
        .bind(session.access_expires_at)
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(self.store.pool())
        .await
        .map_err(StoreError::from)?;
        Ok((id, session))
    }

    /// The live session of a cookie value (`None`: unknown or past its end).
    pub async fn get(&self, cookie: &str) -> Result<Option<Session>, AuthError> {
        self.get_by_hash(&hash(cookie)).await
    }

    pub async fn get_by_hash(&self, id_hash: &str) -> Result<Option<Session>, AuthError> {
        let row = sqlx::query(
            "SELECT id_hash, principal, csrf_token, access_token, refresh_token, id_token,
                    access_expires_at, created_at, expires_at
             FROM sessions WHERE id_hash = ? AND expires_at > ?",
        )
        .bind(id_hash)
        .bind(now_s())
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::from)?;
        let Some(row) = row else { return Ok(None) };
        let principal: Principal =
            serde_json::from_str(row.try_get("principal").map_err(StoreError::from)?)
                .map_err(StoreError::from)?;
        let get = |name: &str| row.try_get::<String, _>(name).map_err(StoreError::from);
        let opt = |name: &str| {
            row.try_get::<Option<String>, _>(name)
                .map_err(StoreError::from)
        };
        let int = |name: &str| row.try_get::<i64, _>(name).map_err(StoreError::from);
        Ok(Some(Session {
            id_hash: get("id_hash")?,
            principal,
            csrf_token: get("csrf_token")?,
            access_token: get("access_token")?,
            refresh_token: opt("refresh_token")?,
            id_token: opt("id_token")?,
            access_expires_at: int("access_expires_at")?,
            created_at: int("created_at")?,
            expires_at: int("expires_at")?,
        }))
    }

    /// Stores refreshed tokens (and the principal they now yield) for a session.
    pub async fn update_tokens(&self, id_hash: &str, grant: &Grant) -> Result<(), AuthError> {
        sqlx::query(
            "UPDATE sessions SET principal = ?, access_token = ?,
                 refresh_token = COALESCE(?, refresh_token), id_token = COALESCE(?, id_token),
                 access_expires_at = ?
             WHERE id_hash = ?",
        )
        .bind(principal_json(&grant.principal)?)
        .bind(&grant.access_token)
        .bind(&grant.refresh_token)
        .bind(&grant.id_token)
        .bind(grant.access_expires_at)
        .bind(id_hash)
        .execute(self.store.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(())
    }

    pub async fn delete(&self, id_hash: &str) -> Result<(), AuthError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(self.store.pool())
            .await
            .map_err(StoreError::from)?;
        Ok(())
    }

    /// Remembers a sign-in under way; keyed by its `state`.
    pub async fn begin_login(&self, state: &str, login: &PendingLogin) -> Result<(), AuthError> {
        let now = now_s();
        let pool = self.store.pool();
        // Housekeeping rides on sign-ins: abandoned ones and ended sessions go.
        sqlx::query("DELETE FROM logins WHERE created_at < ?")
            .bind(now - LOGIN_TTL_S)
            .execute(pool)
            .await
            .map_err(StoreError::from)?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(pool)
            .await
            .map_err(StoreError::from)?;
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM logins")
            .fetch_one(pool)
            .await
            .map_err(StoreError::from)?;
        if pending >= MAX_PENDING_LOGINS {
            return Err(AuthError::TooManySignIns);
        }
        sqlx::query(
            "INSERT INTO logins (state_hash, nonce, pkce_verifier, return_to, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(hash(state))
        .bind(&login.nonce)
        .bind(&login.pkce_verifier)
        .bind(&login.return_to)
        .bind(now)
        .execute(pool)
        .await
        .map_err(StoreError::from)?;
        Ok(())
    }

    /// Takes (and forgets) the sign-in of `state`: each can finish once.
    pub async fn take_login(&self, state: &str) -> Result<Option<PendingLogin>, AuthError> {
        let row = sqlx::query(
            "DELETE FROM logins WHERE state_hash = ? AND created_at > ?
             RETURNING nonce, pkce_verifier, return_to",
        )
        .bind(hash(state))
        .bind(now_s() - LOGIN_TTL_S)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::from)?;
        let Some(row) = row else { return Ok(None) };
        let get = |name: &str| row.try_get::<String, _>(name).map_err(StoreError::from);
        Ok(Some(PendingLogin {
            nonce: get("nonce")?,
            pkce_verifier: get("pkce_verifier")?,
            return_to: get("return_to")?,
        }))
    }
}

fn principal_json(principal: &Principal) -> Result<String, AuthError> {
    Ok(serde_json::to_string(principal).map_err(StoreError::from)?)
}

/// 256 random bits, base64url.
pub fn random_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AuthError::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Hex SHA-256.
pub fn hash(value: &str) -> String {
    use std::fmt::Write as _;
    Sha256::digest(value.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

pub fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(user: &str) -> Grant {
        Grant {
            principal: Principal {
                user: Some(user.into()),
                subject: Some(format!("sub-{user}")),
                name: None,
                roles: vec!["realm:chercheur".into()],
            },
            access_token: "at-1".into(),
            refresh_token: Some("rt-1".into()),
            id_token: Some("idt-1".into()),
            access_expires_at: now_s() + 300,
        }
    }

    #[tokio::test]
    async fn a_session_is_found_by_its_cookie_and_only_its_hash_is_stored() {
        let sessions = SessionStore::new(Store::memory().await.unwrap());
        let (cookie, created) = sessions.create(&grant("alice"), 3600).await.unwrap();
        let found = sessions.get(&cookie).await.unwrap().unwrap();
        assert_eq!(found, created);
        assert_ne!(found.id_hash, cookie);
        assert_eq!(found.id_hash, hash(&cookie));
        assert!(sessions.get("not-a-session").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_ended_or_deleted_session_is_gone() {
        let sessions = SessionStore::new(Store::memory().await.unwrap());
        let (old, _) = sessions.create(&grant("alice"), -1).await.unwrap();
        assert!(sessions.get(&old).await.unwrap().is_none());
        let (cookie, s) = sessions.create(&grant("bob"), 3600).await.unwrap();
        sessions.delete(&s.id_hash).await.unwrap();
        assert!(sessions.get(&cookie).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn refreshed_tokens_replace_the_old_ones_and_keep_a_missing_refresh_token() {
        let sessions = SessionStore::new(Store::memory().await.unwrap());
        let (cookie, s) = sessions.create(&grant("alice"), 3600).await.unwrap();
        let mut next = grant("alice");
        next.access_token = "at-2".into();
        next.refresh_token = None;
        next.principal.roles = vec!["realm:maddog".into()];
        sessions.update_tokens(&s.id_hash, &next).await.unwrap();
        let found = sessions.get(&cookie).await.unwrap().unwrap();
        assert_eq!(found.access_token, "at-2");
        assert_eq!(found.refresh_token.as_deref(), Some("rt-1"));
        assert_eq!(found.principal.roles, ["realm:maddog"]);
    }

    #[tokio::test]
    async fn a_pending_sign_in_can_be_taken_once() {
        let sessions = SessionStore::new(Store::memory().await.unwrap());
        let login = PendingLogin {
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/?map=1".into(),
        };
        sessions.begin_login("state-1", &login).await.unwrap();
        assert_eq!(sessions.take_login("state-1").await.unwrap(), Some(login));
        assert_eq!(sessions.take_login("state-1").await.unwrap(), None);
        assert_eq!(sessions.take_login("other").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_flood_of_sign_ins_is_capped_and_stale_ones_are_swept() {
        let store = Store::memory().await.unwrap();
        let sessions = SessionStore::new(store.clone());
        let now = now_s();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
             INSERT INTO logins SELECT 'h' || i, 'n', 'v', '/', ? FROM n",
        )
        .bind(MAX_PENDING_LOGINS)
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
        let login = PendingLogin {
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/".into(),
        };
        assert!(matches!(
            sessions.begin_login("one-more", &login).await,
            Err(AuthError::TooManySignIns)
        ));
        // Ten minutes later they are stale: swept by the next sign-in, which goes through.
        sqlx::query("UPDATE logins SET created_at = ?")
            .bind(now - LOGIN_TTL_S - 1)
            .execute(store.pool())
            .await
            .unwrap();
        sessions.begin_login("one-more", &login).await.unwrap();
        assert!(sessions.take_login("one-more").await.unwrap().is_some());
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }
}
