//! Genome files: one genome as JSON, a champion file (`gauntlet export`'s versioned document, whose
//! `genome` field is read), or a population as JSON lines.

use std::path::Path;

use serde::Deserialize;

use crate::Genome;
use crate::error::GenomeError;

/// The `format` field of every champion file (`gauntlet export`).
pub const CHAMPION_FILE_FORMAT: &str = "gauntlet-champion";
/// The champion file layout version this Gauntlet writes and reads.
pub const CHAMPION_FILE_VERSION: u32 = 1;

fn file_error(path: &Path, message: impl Into<String>) -> GenomeError {
    GenomeError::File {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a genome from a genome file or a champion file (told apart by the champion file's
/// `format` field), and validates it.
///
/// # Errors
/// [`GenomeError::File`] naming the file when it cannot be read or is not a regular file (a named
/// pipe, a device, a folder), is not JSON, or is a champion file
/// of another version or without a genome; the genome's own errors when it is invalid.
pub fn read_genome_file(path: &Path) -> Result<Genome, GenomeError> {
    // A named pipe would block in open() and a device never end: only regular files are read.
    let whole = gauntlet_core::read_regular_file(path)
        .map_err(|error| file_error(path, error.to_string()))?;
    read_genome_text(&whole, path)
}

/// Reads a genome from the text of a genome file or a champion file (as [`read_genome_file`]),
/// `origin` naming where the text came from in messages (a path, or `genome` for a caller's
/// in-memory document, such as the Python package's dict).
///
/// # Errors
/// As [`read_genome_file`], naming `origin`.
pub fn read_genome_text(whole: &str, origin: &Path) -> Result<Genome, GenomeError> {
    let path = origin;
    #[derive(Deserialize)]
    struct Format {
        format: Option<String>,
    }
    #[derive(Deserialize)]
    struct Champion {
        version: u32,
        genome: Genome,
    }
    // Editors on Windows may save UTF-8 with a byte-order mark; JSON has none.
    let text = whole.strip_prefix('\u{feff}').unwrap_or(whole);
    let format: Format =
        serde_json::from_str(text).map_err(|error| file_error(path, error.to_string()))?;
    if format.format.as_deref() == Some(CHAMPION_FILE_FORMAT) {
        let champion: Champion = serde_json::from_str(text)
            .map_err(|error| file_error(path, format!("not a valid champion file: {error}")))?;
        if champion.version != CHAMPION_FILE_VERSION {
            return Err(file_error(
                path,
                format!(
                    "champion file version {} (this Gauntlet reads {CHAMPION_FILE_VERSION})",
                    champion.version
                ),
            ));
        }
        champion.genome.validate()?;
        return Ok(champion.genome);
    }
    Genome::from_json(text).map_err(|error| file_error(path, error.to_string()))
}

/// Reads a population: one genome JSON per line (blank lines skipped), each validated. Returns
/// each genome with its id: its `name`, or `line-N` without one.
///
/// # Errors
/// [`GenomeError::File`] naming the file and the line of a genome that does not read, or a file
/// without genomes.
pub fn read_population_file(path: &Path) -> Result<Vec<(String, Genome)>, GenomeError> {
    let text = gauntlet_core::read_regular_file(path)
        .map_err(|error| file_error(path, format!("cannot read the population: {error}")))?;
    let mut genomes = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let genome = Genome::from_json(line)
            .map_err(|error| file_error(path, format!("line {}: {error}", index + 1)))?;
        let id = genome
            .name
            .clone()
            .unwrap_or_else(|| format!("line-{}", index + 1));
        genomes.push((id, genome));
    }
    if genomes.is_empty() {
        return Err(file_error(path, "no genomes"));
    }
    Ok(genomes)
}
