//! `terraform-provider-standin`: serves one real provider's schema over Terraform's plugin
//! protocol (tfplugin6), so that `terraform init`, `validate`, `plan`, `apply` and `test` run
//! offline. Installed as `terraform-provider-<name>_v<version>` in a filesystem mirror, with
//! the `schema.json` that `tools/terraform/standin_schema.py` wrote beside it (or the file
//! `TF_STANDIN_SCHEMA` names). Terraform starts it; it is not meant to be run by hand.

mod placeholder;
mod provider;
mod schema;
mod values;

use std::path::PathBuf;

use anyhow::Context;

fn schema_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("TF_STANDIN_SCHEMA") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().context("locating the stand-in binary")?;
    Ok(exe.with_file_name("schema.json"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Err means a provider is already installed, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let path = schema_path()?;
    let file = schema::ProviderFile::load(&path)?;
    let name = file.name.clone();
    eprintln!(
        "stand-in for {}/{} {} (schema {})",
        file.namespace,
        name,
        file.provider_version,
        path.display()
    );
    tf_provider::serve(name.clone(), provider::StandinProvider::new(name, file))
        .await
        .context("serving the plugin protocol")
}
