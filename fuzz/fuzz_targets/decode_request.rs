//! `smis::xml::decode_request` on arbitrary bytes (what the simulated provider and any
//! server built on smis reads from the network). A request that decodes is encoded again
//! and must decode to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smis::xml::{DecodeLimits, decode_request, encode_request};

fuzz_target!(|data: &[u8]| {
    let limits = DecodeLimits::default();
    let Ok(mut msg) = decode_request(data, &limits) else {
        return;
    };
    let _ = format!("{msg:?}");
    let _ = msg.request.method_name();
    smis_fuzz::normalize_request(&mut msg);
    if let Ok(xml) = encode_request(&msg) {
        match decode_request(&xml, &limits) {
            Ok(again) => assert_eq!(
                format!("{again:?}"),
                format!("{msg:?}"),
                "re-encoded request decodes differently:\n{}",
                String::from_utf8_lossy(&xml)
            ),
            Err(e) => panic!(
                "re-encoded request does not decode: {e}\n{}",
                String::from_utf8_lossy(&xml)
            ),
        }
    }
});
