//! The trends screen's work: review debt over time per branch and area,
//! and the coverage of the default window, from one census
//! (`pipeline::trends::overview`).

use crate::model::coverage::{Coverage, Trends};
use crate::pipeline::trends::overview;
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

/// What the trends screen draws.
#[derive(Debug, Clone)]
pub struct TrendsData {
    /// By month, every watched branch.
    pub trends: Trends,
    /// The default window (the last 365 days of the history).
    pub coverage: Coverage,
}

pub fn trends(ctx: &JobContext) -> Result<TrendsData, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let (trends, coverage) = overview(&repo, &mut store, &ctx.config)?;
    Ok(TrendsData { trends, coverage })
}
