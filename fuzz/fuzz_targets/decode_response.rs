//! `smis::xml::decode_response` on arbitrary bytes: never a panic, a hang or unbounded
//! recursion. A response that decodes is encoded again and must decode to the same message
//! (what the simulated provider encodes, the client reads back).
#![no_main]

use libfuzzer_sys::fuzz_target;
use smis::xml::{DecodeLimits, decode_response, encode_response};

fuzz_target!(|data: &[u8]| {
    let limits = DecodeLimits::default();
    let Ok(mut msg) = decode_response(data, &limits) else {
        return;
    };
    let _ = format!("{msg:?}");
    // Anything the decoder accepted must be encodable or refused with an error, and what
    // is encoded must decode back to the same message.
    smis_fuzz::normalize_response(&mut msg);
    if let Ok(xml) = encode_response(&msg) {
        match decode_response(&xml, &limits) {
            Ok(again) => assert_eq!(
                format!("{again:?}"),
                format!("{msg:?}"),
                "re-encoded response decodes differently:\n{}",
                String::from_utf8_lossy(&xml)
            ),
            Err(e) => panic!(
                "re-encoded response does not decode: {e}\n{}",
                String::from_utf8_lossy(&xml)
            ),
        }
    }
});
