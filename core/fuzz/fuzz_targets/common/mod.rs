//! Pieces shared by the targets that make calls from arguments.

use antonnia_core::{Call, Error};
use serde_json::Value;

/// `Call::from_json`, dropping each argument the call refuses as unknown
/// (every call denies unknown fields) and trying again: a generic argument
/// object then still makes the call, instead of the target stopping at the
/// first unknown key. Returns the call and the arguments it was made from.
pub fn call_from_json(name: &str, mut args: Value) -> Result<(Call, Value), Error> {
    loop {
        match Call::from_json(name, args.clone()) {
            Ok(call) => return Ok((call, args)),
            Err(Error::InvalidRequest { field, message })
                if message.starts_with("unknown field")
                    && args
                        .as_object_mut()
                        .is_some_and(|m| m.remove(&field).is_some()) => {}
            Err(e) => return Err(e),
        }
    }
}
