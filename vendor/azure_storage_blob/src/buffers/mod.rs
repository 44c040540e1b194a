// Copyright (c) Microsoft Corporation. All rights reserved.
// Licensed under the MIT License.

pub(crate) mod read_buf;
pub(crate) mod read_buf_ext;
