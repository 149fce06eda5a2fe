//! Who GitHub says may push: the collaborators list as last synced.

use rusqlite::{params, OptionalExtension};

use super::{sql_err, Result, Store};
use crate::model::people::Collaborator;

impl Store {
    /// Replaces the collaborators list with `all`, read at `read_at`.
    pub fn save_collaborators(&mut self, all: &[Collaborator], read_at: i64) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        tx.execute("DELETE FROM collaborators", []).map_err(sql_err(&self.path, "clear collaborators"))?;
        for c in all {
            tx.execute(
                "INSERT OR REPLACE INTO collaborators (login, role, push) VALUES (?1, ?2, ?3)",
                params![c.login, c.role, c.push],
            )
            .map_err(sql_err(&self.path, "write a collaborator"))?;
        }
        tx.execute("INSERT OR REPLACE INTO collaborators_read (id, read_at) VALUES (1, ?1)", [read_at])
            .map_err(sql_err(&self.path, "record when collaborators were read"))?;
        tx.commit().map_err(sql_err(&self.path, "commit collaborators"))
    }

    /// The collaborators and when they were read; `None` when no sync has
    /// read them (the token may not, or none ran).
    pub fn collaborators(&self) -> Result<Option<(Vec<Collaborator>, i64)>> {
        let read_at: Option<i64> = self
            .conn
            .query_row("SELECT read_at FROM collaborators_read WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path, "read when collaborators were read"))?;
        let Some(read_at) = read_at else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT login, role, push FROM collaborators ORDER BY login")
            .map_err(sql_err(&self.path, "read collaborators"))?;
        let rows = stmt
            .query_map([], |r| Ok(Collaborator { login: r.get(0)?, role: r.get(1)?, push: r.get(2)? }))
            .map_err(sql_err(&self.path, "read collaborators"))?;
        let all =
            rows.collect::<std::result::Result<Vec<_>, _>>().map_err(sql_err(&self.path, "read collaborators"))?;
        Ok(Some((all, read_at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collaborators_are_replaced_whole_and_unknown_until_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("s.sqlite3")).expect("store");
        assert_eq!(store.collaborators().expect("read"), None);
        let ann = Collaborator { login: "ann".into(), role: "admin".into(), push: true };
        let bob = Collaborator { login: "bob".into(), role: "read".into(), push: false };
        store.save_collaborators(&[ann.clone(), bob], 10).expect("save");
        store.save_collaborators(std::slice::from_ref(&ann), 20).expect("save");
        assert_eq!(store.collaborators().expect("read"), Some((vec![ann], 20)));
    }
}
