//! `hash.compute_checksum` and `hash.compute_hmac`.

use hmac::digest::Digest;
use hmac::digest::block_api::BlockSizeUser;
use hmac::{KeyInit, Mac, SimpleHmac};

use super::{Args, Call, Context};
use crate::value::Value;

/// The algorithms GCW names, as they must be spelled.
const ALGORITHMS: &str = "MD5, SHA1, SHA224, SHA256, SHA384 or SHA512";

/// `hash.compute_checksum(data, algorithm)`: the digest of bytes.
pub(super) fn compute_checksum(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("hash.compute_checksum", args);
    let data = c.bytes(0, "data")?;
    let algorithm = c.str(1, "algorithm")?;
    let digest = match algorithm {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA1" => sha1::Sha1::digest(data).to_vec(),
        "SHA224" => sha2::Sha224::digest(data).to_vec(),
        "SHA256" => sha2::Sha256::digest(data).to_vec(),
        "SHA384" => sha2::Sha384::digest(data).to_vec(),
        "SHA512" => sha2::Sha512::digest(data).to_vec(),
        other => return Err(unsupported(&c, other)),
    };
    Ok(Value::Bytes(digest.into()))
}

/// `hash.compute_hmac(key, data, algorithm)`: the HMAC of bytes under a key.
pub(super) fn compute_hmac(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("hash.compute_hmac", args);
    let key = c.bytes(0, "key")?;
    let data = c.bytes(1, "data")?;
    let algorithm = c.str(2, "algorithm")?;
    let mac = match algorithm {
        "MD5" => hmac::<md5::Md5>(key, data),
        "SHA1" => hmac::<sha1::Sha1>(key, data),
        "SHA224" => hmac::<sha2::Sha224>(key, data),
        "SHA256" => hmac::<sha2::Sha256>(key, data),
        "SHA384" => hmac::<sha2::Sha384>(key, data),
        "SHA512" => hmac::<sha2::Sha512>(key, data),
        other => return Err(unsupported(&c, other)),
    };
    mac.map(|m| Value::Bytes(m.into())).ok_or_else(|| c.value_err("the key cannot be used"))
}

fn unsupported(c: &Call<'_>, algorithm: &str) -> Value {
    c.value_err(format!("unsupported algorithm {algorithm:?}; expected {ALGORITHMS}"))
}

/// HMAC with digest `D`; `None` only if the key were rejected (HMAC takes any length).
fn hmac<D: Digest + BlockSizeUser>(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let mut mac = <SimpleHmac<D> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{b, call, fails, s};
    use crate::value::Value;

    fn hex(v: &Value) -> String {
        match v {
            Value::Bytes(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
            _ => panic!("not bytes: {v:?}"),
        }
    }

    fn checksum(data: &[u8], alg: &str) -> String {
        hex(&call("hash.compute_checksum", &[b(data), s(alg)]).expect("checksum"))
    }

    #[test]
    fn checksums() {
        assert_eq!(checksum(b"abc", "MD5"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(checksum(b"abc", "SHA1"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(checksum(b"abc", "SHA256"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(checksum(b"abc", "SHA224"), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
        assert_eq!(checksum(b"", "SHA384").len(), 96);
        assert_eq!(checksum(b"", "SHA512").len(), 128);
    }

    #[test]
    fn hmacs() {
        let mac =
            call("hash.compute_hmac", &[b(b"key"), b(b"The quick brown fox jumps over the lazy dog"), s("SHA256")]);
        assert_eq!(hex(&mac.expect("hmac")), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        let mac = call("hash.compute_hmac", &[b(b"key"), b(b"The quick brown fox jumps over the lazy dog"), s("MD5")]);
        assert_eq!(hex(&mac.expect("hmac")), "80070713463e7749b90c2dc24911e275");
        let mac = call("hash.compute_hmac", &[b(b""), b(b""), s("SHA1")]);
        assert_eq!(hex(&mac.expect("hmac")), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
    }

    #[test]
    fn errors() {
        fails(call("hash.compute_checksum", &[b(b"x"), s("sha256")]), "ValueError");
        fails(call("hash.compute_checksum", &[b(b"x"), s("CRC32")]), "ValueError");
        fails(call("hash.compute_checksum", &[s("x"), s("MD5")]), "TypeError");
        fails(call("hash.compute_checksum", &[b(b"x"), Value::Int(5)]), "TypeError");
        fails(call("hash.compute_hmac", &[s("k"), b(b"x"), s("MD5")]), "TypeError");
        fails(call("hash.compute_hmac", &[b(b"k"), b(b"x"), s("SHA3")]), "ValueError");
    }
}
