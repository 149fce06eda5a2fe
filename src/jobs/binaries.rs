//! The binaries screen's work: the inventory of the main line's tree
//! (`pipeline::binaries`).

use crate::pipeline::binaries::{binaries, Inventory};
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

pub fn inventory(ctx: &JobContext) -> Result<Inventory, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    Ok(binaries(&repo, &mut store, &ctx.config, None)?)
}
