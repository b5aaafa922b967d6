pub mod provider;
pub mod scenario;

pub use provider::{Clock, ManualClock, Outcome, Provider, ResponseQuirks, SimFault, SystemClock};
pub use scenario::Scenario;
