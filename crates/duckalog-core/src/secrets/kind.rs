//! The secret types DuckDB 1.5.5 knows, their providers and the parameters
//! each takes, so that a config is checked before anything runs. The tables
//! were read off DuckDB itself: each parameter below is accepted by
//! `CREATE SECRET` with its extension loaded (tests create every type).

/// One secret type.
pub(crate) struct SecretKind {
    pub name: &'static str,
    /// The extension that provides the type (and its default provider).
    pub extension: &'static str,
    pub providers: &'static [Provider],
}

pub(crate) struct Provider {
    pub name: &'static str,
    /// The extension that provides this provider, when not the type's own.
    pub extension: Option<&'static str>,
    pub params: &'static [&'static str],
    /// Groups of parameters of which at least one group must be given whole.
    pub required: &'static [&'static [&'static str]],
}

impl SecretKind {
    /// The provider used when the config names none.
    pub fn default_provider(&self) -> &'static Provider {
        &self.providers[0]
    }

    pub fn provider(&self, name: &str) -> Option<&'static Provider> {
        self.providers.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

const S3_CONFIG: &[&str] = &[
    "key_id",
    "secret",
    "region",
    "session_token",
    "endpoint",
    "url_style",
    "use_ssl",
    "url_compatibility_mode",
    "kms_key_id",
    "requester_pays",
    "refresh",
    "extra_http_headers",
    "http_proxy",
    "http_proxy_username",
    "http_proxy_password",
];
const R2_CONFIG: &[&str] = &[
    "key_id",
    "secret",
    "region",
    "session_token",
    "endpoint",
    "url_style",
    "use_ssl",
    "url_compatibility_mode",
    "account_id",
    "kms_key_id",
    "requester_pays",
    "refresh",
    "extra_http_headers",
    "http_proxy",
    "http_proxy_username",
    "http_proxy_password",
];
const GCS_CONFIG: &[&str] = &[
    "key_id",
    "secret",
    "region",
    "session_token",
    "endpoint",
    "url_style",
    "use_ssl",
    "url_compatibility_mode",
    "kms_key_id",
    "requester_pays",
    "refresh",
    "bearer_token",
    "extra_http_headers",
    "http_proxy",
    "http_proxy_username",
    "http_proxy_password",
];
const CHAIN: &[&str] = &[
    "chain",
    "validation",
    "key_id",
    "secret",
    "region",
    "session_token",
    "endpoint",
    "url_style",
    "use_ssl",
    "url_compatibility_mode",
    "account_id",
    "profile",
    "refresh",
    "external_id",
    "assume_role_arn",
    "web_identity_token_file",
    "http_proxy",
    "http_proxy_username",
    "http_proxy_password",
];
const AZURE_COMMON: [&str; 5] =
    ["endpoint", "http_proxy", "account_name", "proxy_user_name", "proxy_password"];

macro_rules! azure_params {
    ($($extra:literal),*) => {
        &[AZURE_COMMON[0], AZURE_COMMON[1], AZURE_COMMON[2], AZURE_COMMON[3], AZURE_COMMON[4], $($extra),*]
    };
}

pub(crate) static KINDS: &[SecretKind] = &[
    SecretKind {
        name: "s3",
        extension: "httpfs",
        providers: &[
            Provider { name: "config", extension: None, params: S3_CONFIG, required: &[] },
            Provider {
                name: "credential_chain",
                extension: Some("aws"),
                params: CHAIN,
                required: &[],
            },
        ],
    },
    SecretKind {
        name: "r2",
        extension: "httpfs",
        providers: &[
            Provider { name: "config", extension: None, params: R2_CONFIG, required: &[] },
            Provider {
                name: "credential_chain",
                extension: Some("aws"),
                params: CHAIN,
                required: &[],
            },
        ],
    },
    SecretKind {
        name: "gcs",
        extension: "httpfs",
        providers: &[
            Provider { name: "config", extension: None, params: GCS_CONFIG, required: &[] },
            Provider {
                name: "credential_chain",
                extension: Some("aws"),
                params: CHAIN,
                required: &[],
            },
        ],
    },
    SecretKind {
        name: "http",
        extension: "httpfs",
        providers: &[Provider {
            name: "config",
            extension: None,
            params: &[
                "bearer_token",
                "extra_http_headers",
                "http_proxy",
                "http_proxy_username",
                "http_proxy_password",
            ],
            required: &[],
        }],
    },
    SecretKind {
        name: "huggingface",
        extension: "httpfs",
        providers: &[
            Provider {
                name: "config",
                extension: None,
                params: &["token"],
                required: &[&["token"]],
            },
            Provider { name: "credential_chain", extension: None, params: &[], required: &[] },
        ],
    },
    SecretKind {
        name: "azure",
        extension: "azure",
        providers: &[
            Provider {
                name: "config",
                extension: None,
                params: azure_params!("connection_string"),
                required: &[&["connection_string"], &["account_name"]],
            },
            Provider {
                name: "credential_chain",
                extension: None,
                params: azure_params!("chain"),
                required: &[],
            },
            Provider {
                name: "service_principal",
                extension: None,
                params: azure_params!(
                    "tenant_id",
                    "client_id",
                    "client_secret",
                    "client_certificate_path"
                ),
                required: &[
                    &["tenant_id", "client_id", "client_secret"],
                    &["tenant_id", "client_id", "client_certificate_path"],
                ],
            },
            Provider {
                name: "managed_identity",
                extension: None,
                params: azure_params!("client_id"),
                required: &[],
            },
            Provider {
                name: "access_token",
                extension: None,
                params: azure_params!("access_token"),
                required: &[&["access_token"]],
            },
        ],
    },
    SecretKind {
        name: "postgres",
        extension: "postgres_scanner",
        providers: &[Provider {
            name: "config",
            extension: None,
            params: &[
                "host", "port", "database", "dbname", "user", "username", "password", "passfile",
                "sslmode", "options",
            ],
            required: &[],
        }],
    },
    SecretKind {
        name: "mysql",
        extension: "mysql_scanner",
        providers: &[Provider {
            name: "config",
            extension: None,
            params: &[
                "host",
                "port",
                "database",
                "user",
                "password",
                "ssl_mode",
                "ssl_ca",
                "ssl_capath",
                "ssl_cert",
                "ssl_cipher",
                "ssl_crl",
                "ssl_crlpath",
                "ssl_key",
                "socket",
            ],
            required: &[],
        }],
    },
    SecretKind {
        name: "iceberg",
        extension: "iceberg",
        providers: &[Provider {
            name: "config",
            extension: None,
            params: &[
                "token",
                "client_id",
                "client_secret",
                "oauth2_server_uri",
                "oauth2_scope",
                "oauth2_grant_type",
                "endpoint",
                "extra_http_headers",
            ],
            required: &[&["token"], &["client_id", "client_secret"]],
        }],
    },
    SecretKind {
        name: "ducklake",
        extension: "ducklake",
        providers: &[Provider {
            name: "config",
            extension: None,
            params: &["metadata_path", "data_path", "metadata_parameters"],
            required: &[&["metadata_path"]],
        }],
    },
];

pub(crate) fn find(name: &str) -> Option<&'static SecretKind> {
    KINDS.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_default_provider() {
        for k in KINDS {
            assert!(!k.providers.is_empty(), "{}", k.name);
            assert!(find(&k.name.to_uppercase()).is_some());
        }
        assert_eq!(
            find("azure").unwrap().provider("Service_Principal").unwrap().name,
            "service_principal"
        );
    }
}
