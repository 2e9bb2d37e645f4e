//! Turns at a gateway: at most `gateway_calls_per_account` calls of one
//! gateway account in flight at once; the rest wait, first come first
//! served. Centers answer a flood from one member with "sibuk" (busy),
//! which for a topup is no answer at all.
//!
//! A gateway account is a member ID at a gateway, not a loket account:
//! the center counts what it sees, and two staff who logged in with the
//! same member ID, or every private chat on the console's demo account,
//! are one member to it.
//!
//! Owns: the per-account semaphores and the two ways the engine reaches
//! a gateway, [`Engine::gateway_read`] and [`Engine::gateway_send`]. Must
//! not: hold a turn across anything but one HTTP attempt (not the backoff
//! between retries, not a follow-up's wait, not a store write).

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::*;

/// One gateway account, as its center sees it: the member ID and the
/// gateway in one spelling, a password in the URL masked (this map keeps
/// no secret).
type AccountKey = (String, String);

/// Most idle accounts kept before the map is swept.
const SWEEP_FROM: usize = 1024;

/// The turns of every gateway account that called lately.
pub(super) struct Turns {
    per_account: usize,
    accounts: Mutex<Accounts>,
}

struct Accounts {
    semaphores: HashMap<AccountKey, Arc<Semaphore>>,
    /// Sweep idle accounts once the map reaches this size.
    sweep_at: usize,
}

impl Turns {
    /// `per_account` below 1 is taken as 1: nothing would ever be sent.
    pub(super) fn new(per_account: usize) -> Turns {
        Turns {
            per_account: per_account.clamp(1, Semaphore::MAX_PERMITS),
            accounts: Mutex::new(Accounts {
                semaphores: HashMap::new(),
                sweep_at: SWEEP_FROM,
            }),
        }
    }

    /// Waits for a turn of the account that signs with `creds`; the turn
    /// ends when the permit is dropped.
    pub(super) fn take(
        &self,
        creds: &Credentials,
    ) -> impl std::future::Future<Output = OwnedSemaphorePermit> {
        let semaphore = self.semaphore(creds);
        if semaphore.available_permits() == 0 {
            tracing::debug!(
                member = %creds.member_id,
                limit = self.per_account,
                "the gateway account has its limit of calls in flight; this one waits its turn"
            );
        }
        async move {
            semaphore
                .acquire_owned()
                .await
                .expect("a gateway account's semaphore is never closed")
        }
    }

    fn semaphore(&self, creds: &Credentials) -> Arc<Semaphore> {
        let key = (creds.member_id.clone(), journal_url(&creds.base_url));
        let mut accounts = self.accounts.lock().expect("turns lock");
        if accounts.semaphores.len() >= accounts.sweep_at {
            // An account nobody holds or waits for is only the map's: it
            // starts afresh with all its turns when it calls again.
            accounts
                .semaphores
                .retain(|_, semaphore| Arc::strong_count(semaphore) > 1);
            accounts.sweep_at = (accounts.semaphores.len() * 2).max(SWEEP_FROM);
        }
        let per_account = self.per_account;
        accounts
            .semaphores
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(per_account)))
            .clone()
    }

    #[cfg(test)]
    fn accounts_kept(&self) -> usize {
        self.accounts.lock().expect("turns lock").semaphores.len()
    }
}

impl Engine {
    /// A call that moves no money (balance, inquiry, status check), in
    /// the signing account's turn; retries wait without one.
    pub(super) async fn gateway_read(
        &self,
        creds: &Credentials,
        request: &GatewayRequest,
    ) -> Result<String, CallError> {
        self.inner
            .client
            .read_in_turn(request, || self.inner.turns.take(creds))
            .await
    }

    /// A topup or payment, sent once in the signing account's turn.
    pub(super) async fn gateway_send(
        &self,
        creds: &Credentials,
        request: &GatewayRequest,
    ) -> Result<String, CallError> {
        let _turn = self.inner.turns.take(creds).await;
        self.inner.client.send(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(member: &str, url: &str) -> Credentials {
        Credentials {
            member_id: member.to_string(),
            pin: Secret::new("1234"),
            api_key: Secret::new("key"),
            base_url: url.to_string(),
            balance_sign: BalanceSign::Fields,
        }
    }

    #[tokio::test]
    async fn one_member_at_one_gateway_shares_its_turns_whatever_the_spelling() {
        let turns = Turns::new(2);
        let a = turns.take(&creds("M1", "http://h2h.example")).await;
        let _b = turns.take(&creds("M1", "HTTP://H2H.example:80/")).await;
        let third = creds("M1", "http://h2h.example/");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), turns.take(&third))
                .await
                .is_err(),
            "a third call of M1 waits"
        );
        // Another member, or the same member at another gateway, has turns
        // of its own.
        let _other_member = turns.take(&creds("M2", "http://h2h.example")).await;
        let _other_gateway = turns.take(&creds("M1", "http://other.example")).await;
        drop(a);
        let _third = tokio::time::timeout(Duration::from_secs(1), turns.take(&third))
            .await
            .expect("a freed turn goes to the waiting call");
    }

    #[tokio::test]
    async fn idle_accounts_are_swept_and_held_ones_kept() {
        let turns = Turns::new(1);
        let held = turns.take(&creds("HELD", "http://h2h.example")).await;
        for i in 0..SWEEP_FROM + 10 {
            drop(
                turns
                    .take(&creds(&format!("M{i}"), "http://h2h.example"))
                    .await,
            );
        }
        assert!(turns.accounts_kept() < SWEEP_FROM, "idle accounts swept");
        let again = creds("HELD", "http://h2h.example");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), turns.take(&again))
                .await
                .is_err(),
            "the held account kept its semaphore"
        );
        drop(held);
    }

    #[test]
    fn a_limit_of_zero_still_lets_one_call_through() {
        assert_eq!(Turns::new(0).per_account, 1);
    }
}
