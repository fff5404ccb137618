//! What natives see of the world: the clock the driver last gave, the environment, and
//! seeded random numbers.

use std::collections::HashMap;

use crate::stdlib::Context;
use crate::value::Value;

/// The clock, environment and random numbers natives see.
#[derive(Debug)]
pub(super) struct Host {
    pub now: f64,
    pub env: HashMap<String, Value>,
    pub rng: u64,
}

impl Context for Host {
    fn now(&self) -> f64 {
        self.now
    }

    fn env(&self, name: &str) -> Option<Value> {
        match self.env.get(name) {
            Some(v) => Some(v.clone()),
            None => built_in_env(name).map(Value::str),
        }
    }

    fn random_u64(&mut self) -> u64 {
        splitmix64(&mut self.rng)
    }
}

/// Built-in environment variables and their defaults.
const BUILT_IN_ENV: &[(&str, &str)] = &[
    ("GOOGLE_CLOUD_PROJECT_ID", "local-project"),
    ("GOOGLE_CLOUD_PROJECT_NUMBER", "000000000000"),
    ("GOOGLE_CLOUD_LOCATION", "us-central1"),
    ("GOOGLE_CLOUD_WORKFLOW_ID", "workflow"),
    ("GOOGLE_CLOUD_WORKFLOW_REVISION_ID", "000001-abc"),
    ("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID", "local-execution"),
    ("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ATTEMPT", "1"),
];

/// The default of a built-in environment variable (`GOOGLE_CLOUD_PROJECT_ID`, ...).
pub fn built_in_env(name: &str) -> Option<&'static str> {
    BUILT_IN_ENV.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

/// The next number of the splitmix64 sequence in `state`: small, fast, and good enough for
/// ids and scheduling (not for secrets).
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
