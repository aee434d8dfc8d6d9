//! A loopback HTTPS server for the TLS tests of hss-api and hss-ext
//! (included with `#[path]`): rustls with ring, the test-only certificates
//! next to this file.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, mpsc};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

// Test-only CA and server certificate for 127.0.0.1 (regenerate.sh).
#[allow(dead_code)] // hss-ext's test cannot add a root, so never reads it.
pub const CA: &[u8] = include_bytes!("ca.pem");
const CERT: &[u8] = include_bytes!("server.pem");
const KEY: &[u8] = include_bytes!("server-key.pem");

/// The error and all its sources, one per line: where rustls says why a
/// handshake failed.
#[allow(dead_code)] // not every test that includes this file reads errors
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push('\n');
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// An HTTPS server on 127.0.0.1, on a thread of its own, that serves
/// `connections` connections: each request gets an empty page, and its
/// request line is sent down the channel.
pub fn https_server(connections: usize) -> (String, mpsc::Receiver<String>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(CERT).expect("server.pem")],
            PrivateKeyDer::from_pem_slice(KEY).expect("server-key.pem"),
        )
        .expect("certificate and key match");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base_url = format!("https://{}", listener.local_addr().expect("local addr"));
    let (requests, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(stream) = stream else { continue };
            let connection = rustls::ServerConnection::new(config.clone()).expect("config");
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut head = Vec::new();
            let mut byte = [0u8];
            // A client that rejects the certificate ends the handshake, and
            // with it this read.
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            if !head.ends_with(b"\r\n\r\n") {
                continue;
            }
            let body = r#"{"total_num":0,"data_list":[]}"#;
            let _ = write!(
                tls,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
            let request_line = String::from_utf8_lossy(&head);
            let request_line = request_line.lines().next().unwrap_or_default();
            let _ = requests.send(request_line.to_owned());
        }
    });
    (base_url, received)
}
