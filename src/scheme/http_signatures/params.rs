//! Signature parameters (RFC 9421 section 2.3): the covered components and `created`,
//! `expires`, `nonce`, `alg`, `keyid`, `tag`, kept in the order they were written so that
//! `@signature-params` re-serialises exactly.

use super::components::ComponentId;
use super::structured_field::{self as sf, BareItem, InnerList, Parameters};
use crate::error::{Error, Result, Status};

/// One signature's parameters: what `Signature-Input` holds under a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureParams {
    /// Covered components, in order.
    pub components: Vec<ComponentId>,
    /// Parameters in written order (known ones type-checked; others kept as received).
    pub params: Parameters,
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(Status::MalformedHeader, message.into())
}

impl SignatureParams {
    /// Parameters for signing, in the order RFC 9421's examples use: `created`, `keyid`,
    /// `alg`, `expires`, `nonce`, `tag`.
    pub fn for_signing(
        components: Vec<ComponentId>,
        created: Option<i64>,
        keyid: Option<&str>,
        alg: Option<&str>,
        expires: Option<i64>,
        nonce: Option<&str>,
        tag: Option<&str>,
    ) -> Result<SignatureParams> {
        let mut params = Parameters::new();
        let text = |s: &str| BareItem::String(s.to_string());
        if let Some(c) = created {
            params.push(("created".into(), BareItem::Integer(c)));
        }
        if let Some(k) = keyid {
            params.push(("keyid".into(), text(k)));
        }
        if let Some(a) = alg {
            params.push(("alg".into(), text(a)));
        }
        if let Some(e) = expires {
            params.push(("expires".into(), BareItem::Integer(e)));
        }
        if let Some(n) = nonce {
            params.push(("nonce".into(), text(n)));
        }
        if let Some(t) = tag {
            params.push(("tag".into(), text(t)));
        }
        let p = SignatureParams { components, params };
        p.check()?;
        // Strings must be serialisable (printable ASCII): refuse them now, not in the header.
        p.serialize().map_err(|e| Error::invalid(e.message().to_string()))?;
        Ok(p)
    }

    /// From a `Signature-Input` member.
    pub fn from_inner_list(list: &InnerList) -> Result<SignatureParams> {
        let components = list.items.iter().map(ComponentId::from_item).collect::<Result<Vec<_>>>()?;
        let p = SignatureParams { components, params: list.params.clone() };
        p.check()?;
        Ok(p)
    }

    fn check(&self) -> Result<()> {
        for (i, c) in self.components.iter().enumerate() {
            if self.components[..i].contains(c) {
                return Err(bad(format!("component {} is covered twice", c.to_text())));
            }
        }
        for (k, v) in &self.params {
            let ok = match k.as_str() {
                "created" | "expires" => matches!(v, BareItem::Integer(_)),
                "nonce" | "alg" | "keyid" | "tag" => matches!(v, BareItem::String(_)),
                _ => true,
            };
            if !ok {
                return Err(bad(format!("signature parameter {k} has the wrong type")));
            }
        }
        Ok(())
    }

    fn integer(&self, key: &str) -> Option<i64> {
        match sf::param(&self.params, key) {
            Some(BareItem::Integer(i)) => Some(*i),
            _ => None,
        }
    }

    fn string(&self, key: &str) -> Option<&str> {
        match sf::param(&self.params, key) {
            Some(BareItem::String(s)) => Some(s),
            _ => None,
        }
    }

    /// `created`, unix seconds.
    pub fn created(&self) -> Option<i64> {
        self.integer("created")
    }
    /// `expires`, unix seconds.
    pub fn expires(&self) -> Option<i64> {
        self.integer("expires")
    }
    /// `nonce`.
    pub fn nonce(&self) -> Option<&str> {
        self.string("nonce")
    }
    /// `alg`.
    pub fn alg(&self) -> Option<&str> {
        self.string("alg")
    }
    /// `keyid`.
    pub fn keyid(&self) -> Option<&str> {
        self.string("keyid")
    }
    /// `tag`.
    pub fn tag(&self) -> Option<&str> {
        self.string("tag")
    }

    /// The structured-field inner list.
    pub fn to_inner_list(&self) -> InnerList {
        InnerList { items: self.components.iter().map(ComponentId::to_item).collect(), params: self.params.clone() }
    }

    /// The serialised inner list: the `@signature-params` value and the `Signature-Input`
    /// member value.
    pub fn serialize(&self) -> Result<String> {
        let mut out = String::new();
        sf::serialize_inner_list(&self.to_inner_list(), &mut out)?;
        Ok(out)
    }

    /// True when `component` is covered.
    pub fn covers(&self, component: &ComponentId) -> bool {
        self.components.contains(component)
    }
}
