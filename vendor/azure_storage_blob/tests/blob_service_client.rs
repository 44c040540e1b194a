// Copyright (c) Microsoft Corporation. All rights reserved.
// Licensed under the MIT License.

mod common;

use azure_core::http::{ClientOptions, RequestContent, Url, XmlFormat};
use azure_core::time::OffsetDateTime;
use azure_core_test::{recorded, TestContext};
use azure_storage_blob::models::{
    AccountKind, BlobServiceClientGetAccountInfoResultHeaders,
    BlobServiceClientGetPropertiesOptions, BlobServiceClientListContainersOptions,
    BlobServiceProperties, BlockBlobClientUploadOptions, CorsRule, GeoReplicationStatusType,
    KeyInfo, ListContainersIncludeType, Metrics, RetentionPolicy,
};
use azure_storage_blob::{format_filter_expression, BlobServiceClient, BlobServiceClientOptions};
use common::{
    create_test_blob, get_blob_name, get_blob_service_client, get_container_client,
    get_container_name, poll_until, recorded_test_setup, StorageAccount,
};
use futures::{StreamExt, TryStreamExt};
use std::{collections::HashMap, error::Error};
use time::Duration;

#[recorded::test]
async fn test_get_service_properties(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    let response = service_client
        .get_properties(Some(BlobServiceClientGetPropertiesOptions::default()))
        .await?;

    // Assert
    let blob_service_properties = response.into_model()?;
    let hour_metrics = blob_service_properties.hour_metrics;
    assert!(hour_metrics.is_some());
    Ok(())
}

#[recorded::test]
async fn test_list_containers(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;
    let mut container_names = HashMap::from([
        (get_container_name(recording), 0),
        (get_container_name(recording), 0),
        (get_container_name(recording), 0),
        (get_container_name(recording), 0),
    ]);
    let mut container_clients = Vec::new();
    for container_name in container_names.keys() {
        let container_client = service_client.blob_container_client(&container_name.to_string());
        container_client.create(None).await?;
        container_clients.push(container_client);
    }

    // Assert
    let mut pager_response = service_client.list_containers(None)?.into_pages();
    while let Some(page) = pager_response.next().await {
        let current_page = page.unwrap().into_model()?;
        let container_list = current_page.container_items;
        for container in container_list {
            let container_name = container.name.unwrap();
            if container_names.contains_key(&container_name) {
                container_names
                    .entry(container_name)
                    .and_modify(|val| *val = 1);
            }
        }
    }

    for containers in container_names {
        assert_eq!(containers.1, 1)
    }

    for container_client in container_clients {
        container_client.delete(None).await?;
    }

    Ok(())
}

#[recorded::test]
async fn test_list_containers_with_continuation(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;
    let mut container_names = HashMap::from([
        (get_container_name(recording), 0),
        (get_container_name(recording), 0),
        (get_container_name(recording), 0),
        (get_container_name(recording), 0),
    ]);
    let mut container_clients = Vec::new();
    for container_name in container_names.keys() {
        let container_client = service_client.blob_container_client(&container_name.to_string());
        container_client.create(None).await?;
        container_clients.push(container_client);
    }

    let list_containers_options = BlobServiceClientListContainersOptions {
        maxresults: Some(2),
        ..Default::default()
    };

    // Assert
    let mut pager_response = service_client
        .list_containers(Some(list_containers_options))?
        .into_pages();
    let mut page_count = 0;
    while let Some(page) = pager_response.next().await {
        page_count += 1;
        let current_page = page.unwrap().into_model()?;
        let container_list = current_page.container_items;
        for container in container_list {
            let container_name = container.name.unwrap();
            if container_names.contains_key(&container_name) {
                container_names
                    .entry(container_name)
                    .and_modify(|val| *val = 1);
            }
        }
    }

    for containers in container_names {
        assert_eq!(containers.1, 1)
    }
    assert!(page_count >= 2);

    for container_client in container_clients {
        container_client.delete(None).await?;
    }

    Ok(())
}

#[recorded::test]
async fn test_set_service_properties(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    // Storage Service Properties
    let blob_service_properties = BlobServiceProperties {
        default_service_version: Some("2022-11-02".to_string()),
        ..Default::default()
    };
    let request_content: RequestContent<BlobServiceProperties, XmlFormat> =
        blob_service_properties.try_into()?;

    service_client.set_properties(request_content, None).await?;

    // Assert
    let response = service_client.get_properties(None).await?;
    let blob_service_properties = response.into_model()?;
    let default_service_version = blob_service_properties.default_service_version;
    assert_eq!("2022-11-02".to_string(), default_service_version.unwrap());
    Ok(())
}

#[recorded::test]
async fn test_get_account_info(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    // Act
    let response = service_client.get_account_info(None).await?;

    // Assert
    let sku_name = response.sku_name()?;
    let account_kind = response.account_kind()?;

    assert!(sku_name.is_some());
    assert_eq!(AccountKind::StorageV2, account_kind.unwrap());

    Ok(())
}

#[recorded::test]
async fn test_find_blobs_by_tags_service(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;
    let container_client_1 =
        get_container_client(recording, true, StorageAccount::Standard, None).await?;
    let container_client_2 =
        get_container_client(recording, true, StorageAccount::Standard, None).await?;

    // Create Test Blobs with Tags
    let blob1_name = get_blob_name(recording);
    create_test_blob(
        &container_client_1.blob_client(&blob1_name.clone()),
        Some(RequestContent::from("ferris the crab".as_bytes().into())),
        Some(
            BlockBlobClientUploadOptions::default()
                .with_tags(HashMap::from([("fizz".to_string(), "buzz".to_string())])),
        ),
    )
    .await?;
    let blob2_name = get_blob_name(recording);
    let blob2_tags = HashMap::from([("tagged".to_string(), "true".to_string())]);
    create_test_blob(
        &container_client_1.blob_client(&blob2_name.clone()),
        Some(RequestContent::from("six seven".as_bytes().into())),
        Some(BlockBlobClientUploadOptions::default().with_tags(blob2_tags.clone())),
    )
    .await?;
    let blob3_name = get_blob_name(recording);
    create_test_blob(
        &container_client_1.blob_client(&blob3_name.clone()),
        Some(RequestContent::from("hello world".as_bytes().into())),
        Some(
            BlockBlobClientUploadOptions::default()
                .with_tags(HashMap::from([("foo".to_string(), "bar".to_string())])),
        ),
    )
    .await?;

    // Find "hello world" blob by its tag {"foo": "bar"}.
    // In live mode, poll until tags are indexed (up to 60s total timeout).
    // In record mode, use a fixed 15s sleep.
    poll_until(ctx.recording(), || async {
        let blobs: Vec<_> = service_client
            .find_blobs_by_tags("\"foo\"='bar'", None)?
            .try_collect()
            .await?;
        Ok(blobs
            .iter()
            .any(|blob| blob.name.as_deref() == Some(blob3_name.as_str())))
    })
    .await?;
    {
        let blobs: Vec<_> = service_client
            .find_blobs_by_tags("\"foo\"='bar'", None)?
            .try_collect()
            .await?;
        assert!(
            blobs
                .iter()
                .any(|blob| blob.name.as_deref() == Some(blob3_name.as_str())),
            "Failed to find \"{blob3_name}\" in filtered blob results."
        );
    }

    // Find "ferris the crab" blob by its tag {"fizz": "buzz"}
    let blobs: Vec<_> = service_client
        .find_blobs_by_tags("\"fizz\"='buzz'", None)?
        .try_collect()
        .await?;
    assert!(
        blobs
            .iter()
            .any(|blob| blob.name.as_deref() == Some(blob1_name.as_str())),
        "Failed to find \"{blob1_name}\" in filtered blob results."
    );

    // Find "six seven" blob by its tag {"tagged": "true"}
    let blobs: Vec<_> = service_client
        .find_blobs_by_tags(&format_filter_expression(&blob2_tags)?, None)?
        .try_collect()
        .await?;
    assert!(
        blobs
            .iter()
            .any(|blob| blob.name.as_deref() == Some(blob2_name.as_str())),
        "Failed to find \"{blob2_name}\" in filtered blob results."
    );

    container_client_1.delete(None).await?;
    container_client_2.delete(None).await?;
    Ok(())
}

#[recorded::test(playback)]
async fn test_get_service_stats(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // This test requires a Storage account with secondary endpoint enabled.
    // Recording Setup
    let recording = ctx.recording();
    let mut options = ClientOptions::default();
    let endpoint = recorded_test_setup(recording, StorageAccount::Standard, &mut options);
    let endpoint = endpoint.replace(
        ".blob.core.windows.net/",
        "-secondary.blob.core.windows.net/",
    );
    let service_client_options = BlobServiceClientOptions {
        client_options: options.clone(),
        ..Default::default()
    };
    let service_client = BlobServiceClient::new(
        Url::parse(&endpoint)?,
        Some(recording.credential()),
        Some(service_client_options),
    )?;

    let service_stats = service_client.get_statistics(None).await?;

    // Assert
    let stats = service_stats.into_model()?;
    assert!(stats.geo_replication.is_some());
    assert_eq!(
        GeoReplicationStatusType::Live,
        stats.clone().geo_replication.unwrap().status.unwrap()
    );
    assert!(stats.geo_replication.unwrap().last_sync_time.is_some());

    Ok(())
}

#[recorded::test]
async fn test_list_containers_with_metadata_include(
    ctx: TestContext,
) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;
    let container_name = get_container_name(recording);
    let container_client = service_client.blob_container_client(&container_name);
    container_client.create(None).await?;

    let metadata = HashMap::from([("team".to_string(), "sdk".to_string())]);
    container_client.set_metadata(&metadata, None).await?;

    // Metadata Include Scenario
    let options = BlobServiceClientListContainersOptions {
        include: Some(vec![ListContainersIncludeType::Metadata]),
        prefix: Some(container_name.clone()),
        ..Default::default()
    };
    let items: Vec<_> = service_client
        .list_containers(Some(options))?
        .try_collect()
        .await?;

    // Assert
    let found = items
        .into_iter()
        .find(|c| c.name.as_deref() == Some(container_name.as_str()))
        .expect("container not found in listing");
    assert_eq!(Some(metadata), found.metadata);

    container_client.delete(None).await?;
    Ok(())
}

#[recorded::test]
async fn test_list_containers_with_prefix(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    let prefix = "px-";
    let name_with_prefix = format!("{}{}", prefix, get_container_name(recording));
    let name_no_prefix = get_container_name(recording);

    let c_with = service_client.blob_container_client(&name_with_prefix);
    let c_without = service_client.blob_container_client(&name_no_prefix);
    c_with.create(None).await?;
    c_without.create(None).await?;

    // Prefix Filter Scenario
    let options = BlobServiceClientListContainersOptions {
        prefix: Some(prefix.to_string()),
        ..Default::default()
    };
    let names: Vec<String> = service_client
        .list_containers(Some(options))?
        .try_collect::<Vec<_>>()
        .await?
        .into_iter()
        .filter_map(|c| c.name)
        .collect();

    // Assert
    assert!(names.iter().all(|n| n.starts_with(prefix)));
    assert!(names.contains(&name_with_prefix));

    c_with.delete(None).await?;
    c_without.delete(None).await?;
    Ok(())
}

#[recorded::test]
async fn test_set_service_properties_cors_and_metrics(
    ctx: TestContext,
) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    // Save existing properties so they can be restored after the test.
    let original_props = service_client.get_properties(None).await?.into_model()?;

    // CORS and Metrics Scenario
    let cors_rule = CorsRule {
        allowed_origins: Some("https://example.com".to_string()),
        allowed_methods: Some("GET,PUT".to_string()),
        allowed_headers: Some("x-ms-*".to_string()),
        exposed_headers: Some("x-ms-*".to_string()),
        max_age_in_seconds: Some(3600),
    };
    let hour_metrics = Metrics {
        enabled: Some(true),
        include_apis: Some(true),
        retention_policy: Some(RetentionPolicy {
            enabled: Some(true),
            days: Some(7),
            ..Default::default()
        }),
        version: Some("1.0".to_string()),
    };
    let props = BlobServiceProperties {
        cors: Some(vec![cors_rule]),
        hour_metrics: Some(hour_metrics),
        ..Default::default()
    };
    let request_content: RequestContent<BlobServiceProperties, XmlFormat> = props.try_into()?;
    service_client.set_properties(request_content, None).await?;

    // Assert
    let response = service_client.get_properties(None).await?;
    let props = response.into_model()?;

    let rules = props.cors.unwrap_or_default();
    assert!(!rules.is_empty());
    let rule = &rules[0];
    assert_eq!(rule.allowed_origins.as_deref(), Some("https://example.com"));
    assert_eq!(rule.max_age_in_seconds, Some(3600));

    let hour_metrics = props.hour_metrics.unwrap();
    assert_eq!(hour_metrics.enabled, Some(true));
    assert_eq!(hour_metrics.include_apis, Some(true));
    let retention = hour_metrics.retention_policy.unwrap();
    assert_eq!(retention.enabled, Some(true));
    assert_eq!(retention.days, Some(7));

    // Restore original properties to avoid contaminating other tests.
    let restore_content: RequestContent<BlobServiceProperties, XmlFormat> =
        original_props.try_into()?;
    service_client.set_properties(restore_content, None).await?;

    Ok(())
}

#[recorded::test]
async fn test_list_containers_max_results(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    let prefix = "mr-";
    let container_names: Vec<String> = (0..3)
        .map(|_| format!("{}{}", prefix, get_container_name(recording)))
        .collect();
    for name in &container_names {
        service_client
            .blob_container_client(name)
            .create(None)
            .await?;
    }

    // Max Results Scenario
    let options = BlobServiceClientListContainersOptions {
        prefix: Some(prefix.to_string()),
        maxresults: Some(2),
        ..Default::default()
    };
    let mut pager = service_client.list_containers(Some(options))?.into_pages();
    let first_page = pager.try_next().await?.unwrap().into_model()?;

    // Assert
    assert_eq!(first_page.container_items.len(), 2);
    let second_page_result = pager.try_next().await?;
    assert!(second_page_result.is_some());

    for name in &container_names {
        service_client
            .blob_container_client(name)
            .delete(None)
            .await?;
    }
    Ok(())
}

#[recorded::test(live)]
async fn test_get_user_delegation_key(ctx: TestContext) -> Result<(), Box<dyn Error>> {
    // Recording Setup
    let recording = ctx.recording();
    let service_client = get_blob_service_client(recording, StorageAccount::Standard, None)?;

    let now = OffsetDateTime::now_utc();
    let key_info = KeyInfo {
        start: Some(now),
        expiry: Some(now + Duration::hours(1)),
        ..Default::default()
    };
    let request_content: RequestContent<KeyInfo, XmlFormat> = key_info.try_into()?;

    // Act
    let response = service_client
        .get_user_delegation_key(request_content, None)
        .await?;
    let user_delegation_key = response.into_model()?;

    // Assert
    assert!(
        user_delegation_key.signed_oid.is_some(),
        "expected signed_oid to be populated"
    );
    assert!(
        user_delegation_key.signed_tid.is_some(),
        "expected signed_tid to be populated"
    );
    assert!(
        user_delegation_key.signed_start.is_some(),
        "expected signed_start to be populated"
    );
    assert!(
        user_delegation_key.signed_expiry.is_some(),
        "expected signed_expiry to be populated"
    );
    assert!(
        user_delegation_key.signed_service.is_some(),
        "expected signed_service to be populated"
    );
    assert!(
        user_delegation_key.signed_version.is_some(),
        "expected signed_version to be populated"
    );
    assert!(
        user_delegation_key.value.is_some(),
        "expected value to be populated"
    );
    Ok(())
}
