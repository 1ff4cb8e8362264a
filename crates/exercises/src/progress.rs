//! Which exercises the learner has solved.
//!
//! A check that passes records the exercise with a hash of its file. The
//! exercise counts as solved while the file still has that content; an edit
//! after the pass makes it "not checked yet" again, so the list never says
//! "solved" of code that was never checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::catalog::{EXERCISES, Exercise};

pub struct Progress {
    file: PathBuf,
    solved: BTreeMap<String, u64>,
}

impl Progress {
    /// Read the progress file; a missing or unreadable one means nothing solved.
    pub fn load(file: &Path) -> Progress {
        let solved = std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let (name, hash) = line.split_once(' ')?;
                Some((name.to_string(), hash.parse().ok()?))
            })
            .collect();
        Progress {
            file: file.to_path_buf(),
            solved,
        }
    }

    pub fn is_solved(&self, exercise: &Exercise, path: &Path) -> bool {
        self.solved
            .get(exercise.name)
            .is_some_and(|hash| file_hash(path) == Some(*hash))
    }

    /// The first exercise, in course order, that is not solved.
    pub fn next_unsolved(
        &self,
        path_of: impl Fn(&Exercise) -> PathBuf,
    ) -> Option<&'static Exercise> {
        EXERCISES.iter().find(|e| !self.is_solved(e, &path_of(e)))
    }

    /// Record that the file at `path` passed its check.
    pub fn record(&mut self, exercise: &Exercise, path: &Path) -> Result<()> {
        if let Some(hash) = file_hash(path) {
            self.solved.insert(exercise.name.to_string(), hash);
        }
        let text: String = self
            .solved
            .iter()
            .map(|(name, hash)| format!("{name} {hash}\n"))
            .collect();
        std::fs::write(&self.file, text)
            .with_context(|| format!("could not write {}", self.file.display()))
    }
}

/// FNV-1a over the file's bytes: stable, and enough to notice an edit.
fn file_hash(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    Some(bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    }))
}
