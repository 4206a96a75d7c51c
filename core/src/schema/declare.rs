//! `resource!`: declares a resource's struct and its schema [`Shape`](super::Shape)
//! from one list of fields, so that the two cannot drift apart.
//!
//! Each field is `name: RustType => presence wire_type,` where presence is
//! `req` (must be there), `opt` (an `Option`, left out when absent or null),
//! `opt_only("kind")` (the same, but a field of one agent kind only) or
//! `default(json, "deserialize_with fn")` (absent or null reads as the
//! default, written as `json`). A field whose wire name is not a Rust name
//! says it first: `#[wire("type")] agent_type: ...`. The struct gets the
//! matching serde attributes; the shape gets the field in the same order.
//!
//! `struct AgentWire in AGENT named "Agent"` names the shape after the
//! public type when the declared struct is only its wire form.

macro_rules! resource {
    (
        $(#[doc = $sdoc:literal])*
        #[derive($($derive:path),* $(,)?)]
        $vis:vis struct $name:ident in $shape:ident named $label:literal { $($body:tt)* }
    ) => {
        $crate::schema::resource!(@field [$(#[doc = $sdoc])* #[derive($($derive),*)] $vis]
            [concat!("" $(, $sdoc)*)] $name [$label] $shape [] [] [] $($body)*);
    };
    (
        $(#[doc = $sdoc:literal])*
        #[derive($($derive:path),* $(,)?)]
        $vis:vis struct $name:ident in $shape:ident { $($body:tt)* }
    ) => {
        $crate::schema::resource!(@field [$(#[doc = $sdoc])* #[derive($($derive),*)] $vis]
            [concat!("" $(, $sdoc)*)] $name [stringify!($name)] $shape [] [] [] $($body)*);
    };
    // A field's name on the wire: its `#[wire(...)]` name, or its own.
    (@wire $field:ident) => { stringify!($field) };
    (@wire $field:ident $rename:literal) => { $rename };
    // Its key as the canonical form writes it (`Field::written_key`).
    (@key $field:ident) => { concat!(",\"", stringify!($field), "\":") };
    (@key $field:ident $rename:literal) => { concat!(",\"", $rename, "\":") };
    (@field $meta:tt $sdoc:tt $name:ident $label:tt $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $(#[wire($rename:literal)])? $field:ident : $rust:ty => req $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $label $shape
            [$($fields)* $(#[doc = $doc])* $(#[serde(rename = $rename)])? pub $field: $rust,]
            [$($table)* $crate::schema::Field {
                name: $crate::schema::resource!(@wire $field $($rename)?),
                written_key: $crate::schema::resource!(@key $field $($rename)?),
                ty: $wire,
                presence: $crate::schema::Presence::Required,
                only_for_type: None,
            },]
            [$($docs)* concat!("" $(, $doc)*),]
            $($rest)*);
    };
    (@field $meta:tt $sdoc:tt $name:ident $label:tt $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $(#[wire($rename:literal)])? $field:ident : $rust:ty => opt $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $label $shape [$($fields)*] [$($table)*] [$($docs)*]
            $(#[doc = $doc])* $(#[wire($rename)])? $field : $rust => @optional(None) $wire, $($rest)*);
    };
    (@field $meta:tt $sdoc:tt $name:ident $label:tt $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $(#[wire($rename:literal)])? $field:ident : $rust:ty => opt_only($only:literal) $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $label $shape [$($fields)*] [$($table)*] [$($docs)*]
            $(#[doc = $doc])* $(#[wire($rename)])? $field : $rust => @optional(Some($only)) $wire, $($rest)*);
    };
    // An optional field: for every `type` of the resource (`None`), or only for one.
    (@field $meta:tt $sdoc:tt $name:ident $label:tt $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $(#[wire($rename:literal)])? $field:ident : $rust:ty => @optional($only:expr) $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $label $shape
            [$($fields)* $(#[doc = $doc])* $(#[serde(rename = $rename)])?
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: $rust,]
            [$($table)* $crate::schema::Field {
                name: $crate::schema::resource!(@wire $field $($rename)?),
                written_key: $crate::schema::resource!(@key $field $($rename)?),
                ty: $wire,
                presence: $crate::schema::Presence::Optional,
                only_for_type: $only,
            },]
            [$($docs)* concat!("" $(, $doc)*),]
            $($rest)*);
    };
    (@field $meta:tt $sdoc:tt $name:ident $label:tt $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $(#[wire($rename:literal)])? $field:ident : $rust:ty
            => default($json:literal, $with:literal) $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $label $shape
            [$($fields)* $(#[doc = $doc])* $(#[serde(rename = $rename)])?
                #[serde(default, deserialize_with = $with)]
                pub $field: $rust,]
            [$($table)* $crate::schema::Field {
                name: $crate::schema::resource!(@wire $field $($rename)?),
                written_key: $crate::schema::resource!(@key $field $($rename)?),
                ty: $wire,
                presence: $crate::schema::Presence::Default($json),
                only_for_type: None,
            },]
            [$($docs)* concat!("" $(, $doc)*),]
            $($rest)*);
    };
    (@field [$(#[$attr:meta])* $vis:vis] [$sdoc:expr] $name:ident [$($label:tt)*] $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]) => {
        $(#[$attr])*
        $vis struct $name {
            $($fields)*
        }

        #[doc = concat!("The schema of `", stringify!($name), "`, declared with it.")]
        pub const $shape: $crate::schema::Shape = $crate::schema::Shape {
            name: $($label)*,
            fields: &[$($table)*],
        };

        impl $name {
            /// The docs of the struct and of each field, for the surfaces
            /// generated from the schema (kept out of the [`Shape`] that
            /// runtime code reads, so that no binary carries them).
            ///
            /// [`Shape`]: $crate::schema::Shape
            pub const DOCS: $crate::schema::Docs = $crate::schema::Docs {
                shape: $sdoc,
                fields: &[$($docs)*],
            };
        }
    };
}

pub(crate) use resource;
