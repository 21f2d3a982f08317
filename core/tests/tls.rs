//! TLS trust and proxies, over real sockets: a local HTTPS front (certificate from a test CA
//! made here with rcgen) forwarding to the local API server, and a local CONNECT proxy.
//!
//! In its own test binary: one test sets `SSL_CERT_FILE`, which every client built in the
//! process reads, so the trust checks run in sequence inside one test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

struct TestCa {
    ca_pem: String,
    acceptor: tokio_rustls::TlsAcceptor,
}

/// A CA and a certificate for 127.0.0.1 it signed.
fn test_ca() -> TestCa {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Cadenya test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    TestCa { ca_pem: ca_cert.pem(), acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)) }
}

/// Terminates TLS on a new port and forwards the plain bytes to `upstream`. Returns the port.
async fn https_front(acceptor: tokio_rustls::TlsAcceptor, upstream: SocketAddr) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to forward.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut plain) = TcpStream::connect(upstream).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// A minimal HTTP CONNECT proxy; records each CONNECT target it tunnels.
async fn connect_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut words = head.split_whitespace();
                let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
                    let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n").await;
                    return;
                };
                log.lock().unwrap().push(target.to_string());
                let Ok(mut upstream) = TcpStream::connect(target).await else { return };
                let _ = client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, seen)
}

fn upstream(env: &Env) -> SocketAddr {
    let url = url::Url::parse(&env.server.base_url()).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap()).parse().unwrap()
}

#[tokio::test]
async fn a_private_ca_is_refused_until_trusted_by_option_or_ssl_cert_file() {
    let env = start().await;
    let ca = test_ca();
    let port = https_front(ca.acceptor.clone(), upstream(&env)).await;
    let base = format!("https://127.0.0.1:{port}");

    // Untrusted: a connection error that says why, and no retry (it cannot help).
    let client = builder(&env.server).base_url(&base).build().unwrap();
    let err = client.agents().list(Default::default()).await.expect_err("untrusted certificate");
    let msg = err.to_string();
    assert_eq!(err.kind(), "connection", "{msg}");
    assert!(msg.starts_with("agents.list failed after 1 attempt: connection error: could not connect"), "{msg}");
    assert!(msg.contains("UnknownIssuer") && msg.contains("not signed by a trusted authority"), "{msg}");
    assert!(msg.contains("ca_bundle") && msg.contains("SSL_CERT_FILE"), "{msg}");

    // Trusted through the option: PEM bytes, then a PEM file.
    let client = builder(&env.server).base_url(&base).ca_bundle_pem(ca.ca_pem.clone()).build().unwrap();
    let page = client.agents().list(Default::default()).await.expect("trusted by ca_bundle_pem");
    assert!(page.items.is_empty());
    let dir = std::env::temp_dir().join(format!("cadenya-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem_path = dir.join("ca.pem");
    std::fs::write(&pem_path, &ca.ca_pem).unwrap();
    let client = builder(&env.server).base_url(&base).ca_bundle_path(&pem_path).build().unwrap();
    client.agents().list(Default::default()).await.expect("trusted by ca_bundle_path");

    // Trusted through SSL_CERT_FILE (read by the OS-store loader when the client is built).
    std::env::set_var("SSL_CERT_FILE", &pem_path);
    let built = builder(&env.server).base_url(&base).build();
    std::env::remove_var("SSL_CERT_FILE");
    built.unwrap().agents().list(Default::default()).await.expect("trusted by SSL_CERT_FILE");
    // And it was the variable: without it the same client setup fails again.
    let client = builder(&env.server).base_url(&base).build().unwrap();
    assert_eq!(client.agents().list(Default::default()).await.expect_err("untrusted").kind(), "connection");

    // A bundle that is not a certificate is a configuration error naming the file.
    std::fs::write(dir.join("bad.pem"), "not a certificate").unwrap();
    let err = builder(&env.server).ca_bundle_path(dir.join("bad.pem")).build().expect_err("bad bundle");
    assert_eq!(err.kind(), "configuration");
    assert!(err.to_string().contains("bad.pem"), "{err}");
    let err = builder(&env.server).ca_bundle_path(dir.join("missing.pem")).build().expect_err("missing bundle");
    assert!(err.to_string().contains("could not be read"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_proxy_option_tunnels_every_request() {
    let env = start().await;
    let ca = test_ca();
    let port = https_front(ca.acceptor.clone(), upstream(&env)).await;
    let (proxy_port, seen) = connect_proxy().await;
    let client = builder(&env.server)
        .base_url(format!("https://127.0.0.1:{port}"))
        .ca_bundle_pem(ca.ca_pem.clone())
        .proxy(format!("http://127.0.0.1:{proxy_port}"))
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let created = client.agents().create(agent_params("proxied")).await.expect("through the proxy");
    let got = client.agents().retrieve(&created.metadata.id).await.unwrap();
    assert_eq!(got.metadata.name, "proxied");
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty() && seen.iter().all(|t| t == &format!("127.0.0.1:{port}")), "{seen:?}");

    // Bad settings are configuration errors; a proxy password never shows in Debug.
    for bad in ["not a url", "ftp://proxy:21", ""] {
        let err = builder(&env.server).proxy(bad).build().expect_err(bad);
        assert_eq!(err.kind(), "configuration", "{bad}: {err}");
    }
    let zero = builder(&env.server).connect_timeout(std::time::Duration::ZERO).build().expect_err("zero");
    assert_eq!(zero.kind(), "configuration");
    let b = builder(&env.server).proxy("http://user:pr0xy-pass@127.0.0.1:1");
    let client = b.build().unwrap();
    let shown = format!("{b:?} {:?}", client.config());
    assert!(shown.contains("127.0.0.1:1") && !shown.contains("pr0xy-pass"), "{shown}");
}
