//! `resource!`: declares a resource's struct and its schema [`Shape`](super::Shape)
//! from one list of fields, so that the two cannot drift apart.
//!
//! Each field is `name: RustType => presence wire_type,` where presence is
//! `req` (must be there), `opt` (an `Option`, left out when absent or null)
//! or `default(json, "deserialize_with fn")` (absent or null reads as the
//! default, written as `json`). The struct gets the matching serde
//! attributes; the shape gets the field in the same order.

macro_rules! resource {
    (
        $(#[doc = $sdoc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub struct $name:ident in $shape:ident { $($body:tt)* }
    ) => {
        $crate::schema::resource!(@field [$(#[doc = $sdoc])* #[derive($($derive),*)]]
            [concat!("" $(, $sdoc)*)] $name $shape [] [] [] $($body)*);
    };
    (@field $meta:tt $sdoc:tt $name:ident $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $field:ident : $rust:ty => req $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $shape
            [$($fields)* $(#[doc = $doc])* pub $field: $rust,]
            [$($table)* $crate::schema::Field {
                name: stringify!($field),
                ty: $wire,
                presence: $crate::schema::Presence::Required,
                only_for_type: None,
            },]
            [$($docs)* concat!("" $(, $doc)*),]
            $($rest)*);
    };
    (@field $meta:tt $sdoc:tt $name:ident $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $field:ident : $rust:ty => opt $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $shape
            [$($fields)* $(#[doc = $doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: $rust,]
            [$($table)* $crate::schema::Field {
                name: stringify!($field),
                ty: $wire,
                presence: $crate::schema::Presence::Optional,
                only_for_type: None,
            },]
            [$($docs)* concat!("" $(, $doc)*),]
            $($rest)*);
    };
    (@field $meta:tt $sdoc:tt $name:ident $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]
        $(#[doc = $doc:literal])* $field:ident : $rust:ty
            => default($json:literal, $with:literal) $wire:expr, $($rest:tt)*
    ) => {
        $crate::schema::resource!(@field $meta $sdoc $name $shape
            [$($fields)* $(#[doc = $doc])*
                #[serde(default, deserialize_with = $with)]
                pub $field: $rust,]
            [$($table)* $crate::schema::Field {
                name: stringify!($field),
                ty: $wire,
                presence: $crate::schema::Presence::Default($json),
                only_for_type: None,
            },]
            [$($docs)* concat!("" $(, $doc)*),]
            $($rest)*);
    };
    (@field [$($meta:tt)*] [$sdoc:expr] $name:ident $shape:ident [$($fields:tt)*] [$($table:tt)*] [$($docs:tt)*]) => {
        $($meta)*
        pub struct $name {
            $($fields)*
        }

        #[doc = concat!("The schema of [`", stringify!($name), "`], declared with it.")]
        pub const $shape: $crate::schema::Shape = $crate::schema::Shape {
            name: stringify!($name),
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
