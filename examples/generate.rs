//! Writes a generated event's CSV files, for benchmarks and trials at any scale:
//!
//! cargo run --release --example generate -- STARTUPS INVESTORS DIR [SEED]
//!
//! then `ketnoi import --event SLUG --startups DIR/startups.csv --investors DIR/investors.csv`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [startups, investors, dir, rest @ ..] = args.as_slice() else {
        return Err("usage: generate STARTUPS INVESTORS DIR [SEED]".into());
    };
    let seed = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(2026);
    let csv = ketnoi_domain::demo::generate(seed, startups.parse()?, investors.parse()?);
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("startups.csv"), csv.startups)?;
    std::fs::write(dir.join("investors.csv"), csv.investors)?;
    eprintln!("wrote {} and {}", dir.join("startups.csv").display(), dir.join("investors.csv").display());
    Ok(())
}
