//! The silver job's baseline in `make bench-silver`: the same rows written as plain Parquet,
//! with no query, de-duplication or Delta log. Reads every Parquet file given (the bronze
//! copies) and writes each again, snappy, to a temporary file; prints rows and rows/s as JSON.

use std::fs::File;
use std::time::Instant;

use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = tempfile_dir()?;
    let started = Instant::now();
    let mut rows = 0u64;
    for (i, path) in std::env::args().skip(1).enumerate() {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path)?)?.build()?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let out = File::create(out_dir.join(format!("{i}.parquet")))?;
        let mut writer: Option<ArrowWriter<File>> = None;
        let mut out = Some(out);
        for batch in reader {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            if writer.is_none() {
                let file = out.take().ok_or("one writer per file")?;
                writer = Some(ArrowWriter::try_new(file, batch.schema(), Some(props.clone()))?);
            }
            if let Some(w) = writer.as_mut() {
                w.write(&batch)?;
            }
        }
        if let Some(w) = writer {
            w.close()?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&out_dir)?;
    println!(
        "{{\"rows\": {rows}, \"seconds\": {seconds:.3}, \"rows_per_s\": {:.0}}}",
        rows as f64 / seconds.max(1e-9)
    );
    Ok(())
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("plain-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
