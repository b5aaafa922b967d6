//! The class repository: every class the simulator serves (DMTF CIM 2.49 classes, reduced
//! to the properties and methods SMI-S clients use, and their `SIMS_` subclasses), with
//! superclass chains resolved (inherited properties carry `PROPAGATED` and `CLASSORIGIN`).
//!
//! The classes are data: `schema/classes.txt` and `schema/masking_classes.txt` in a
//! compact notation (a property is `"[key] TYPE[[]] Name [emb:Class]"` where TYPE is a CIM
//! type name or `ref:Class`; a method is `method Name` followed by its parameters
//! `"in|out|inout TYPE[[]] Name [emb:Class]"`), parsed and resolved once per process.

use std::collections::HashMap;
use std::sync::OnceLock;

use smis::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Flavor, Method, Parameter, Property,
    PropertyExtra, Qualifier,
};

/// The class tables, in load order (superclasses first): (file name, text).
const TABLES: &[(&str, &str)] = &[
    ("classes.txt", include_str!("../../schema/classes.txt")),
    (
        "masking_classes.txt",
        include_str!("../../schema/masking_classes.txt"),
    ),
];

/// A resolved class repository.
#[derive(Debug, Clone)]
pub struct ClassRepo {
    classes: Vec<CimClass>,
    index: HashMap<String, usize>,
}

/// One class as the table declares it (its own properties and methods only).
struct ClassDef {
    name: String,
    superclass: Option<String>,
    association: bool,
    props: Vec<Property>,
    methods: Vec<Method>,
}

fn key_qualifier() -> Qualifier {
    let mut q = Qualifier::new("Key", true);
    q.flavor = Flavor {
        overridable: Some(false),
        ..Flavor::default()
    };
    q
}

/// Parses `TYPE[[]]` into (type, array, reference class).
fn parse_type(t: &str) -> Result<(CimType, bool, Option<CimName>), String> {
    let (t, array) = match t.strip_suffix("[]") {
        Some(base) => (base, true),
        None => (t, false),
    };
    if let Some(class) = t.strip_prefix("ref:") {
        return Ok((CimType::Reference, array, Some(CimName::new(class))));
    }
    match CimType::parse(t) {
        Some(ty) => Ok((ty, array, None)),
        None => Err(format!("unknown CIM type `{t}`")),
    }
}

/// Splits `TYPE Name [emb:Class]` into its parts.
fn type_name_emb<'a>(words: &[&'a str]) -> Result<(&'a str, &'a str, Option<&'a str>), String> {
    match words {
        [ty, name] => Ok((ty, name, None)),
        [ty, name, emb] => match emb.strip_prefix("emb:") {
            Some(e) => Ok((ty, name, Some(e))),
            None => Err(format!("expected emb:Class, found `{emb}`")),
        },
        _ => Err("expected TYPE Name [emb:Class]".into()),
    }
}

fn parse_property(spec: &str, origin: &str) -> Result<Property, String> {
    let mut words: Vec<&str> = spec.split_whitespace().collect();
    let key = words.first() == Some(&"key");
    if key {
        words.remove(0);
    }
    let (ty, name, emb) = type_name_emb(&words)?;
    let (ty, array, refclass) = parse_type(ty)?;
    let mut p = Property::null(name, ty, array);
    let mut qualifiers = Vec::new();
    if key {
        qualifiers.push(key_qualifier());
    }
    if let Some(e) = emb {
        qualifiers.push(Qualifier::new("EmbeddedInstance", e));
        p.embedded = Some(EmbeddedKind::Instance);
    }
    p.propagated = Some(false);
    p.extra = Some(Box::new(PropertyExtra {
        reference_class: refclass,
        class_origin: Some(CimName::new(origin)),
        array_size: None,
        qualifiers,
    }));
    Ok(p)
}

fn parse_parameter(spec: &str) -> Result<Parameter, String> {
    let words: Vec<&str> = spec.split_whitespace().collect();
    let (is_in, is_out) = match words.first().copied() {
        Some("in") => (true, false),
        Some("out") => (false, true),
        Some("inout") => (true, true),
        _ => {
            return Err(format!(
                "parameter `{spec}` must start with in, out or inout"
            ));
        }
    };
    let (ty, name, emb) = type_name_emb(&words[1..])?;
    let (ty, array, refclass) = parse_type(ty)?;
    let mut p = Parameter::new(name, ty, array);
    p.reference_class = refclass;
    p.qualifiers.push(Qualifier::new("IN", is_in));
    if is_out {
        p.qualifiers.push(Qualifier::new("OUT", true));
    }
    if let Some(e) = emb {
        p.qualifiers.push(Qualifier::new("EmbeddedInstance", e));
    }
    Ok(p)
}

/// Parses `class|association NAME [: SUPERCLASS]`.
fn parse_class_line(line: &str) -> Result<ClassDef, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (association, rest) = match words.split_first() {
        Some((&"class", rest)) => (false, rest),
        Some((&"association", rest)) => (true, rest),
        _ => return Err(format!("expected `class` or `association`, found `{line}`")),
    };
    let (name, superclass) = match rest {
        [name] => (*name, None),
        [name, ":", sup] => (*name, Some(sup.to_string())),
        _ => return Err(format!("expected NAME [: SUPERCLASS], found `{line}`")),
    };
    Ok(ClassDef {
        name: name.to_string(),
        superclass,
        association,
        props: Vec::new(),
        methods: Vec::new(),
    })
}

/// Parses one class table; a malformed line is an error naming the file and line.
fn parse_table(file: &str, text: &str) -> Result<Vec<ClassDef>, String> {
    let mut defs: Vec<ClassDef> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let at = |e: String| format!("{file} line {}: {e}", n + 1);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        if indent == 0 {
            defs.push(parse_class_line(line).map_err(at)?);
            continue;
        }
        let def = defs
            .last_mut()
            .ok_or_else(|| at("member before any class".into()))?;
        if indent == 2 {
            if let Some(name) = line.strip_prefix("method ") {
                let mut me = Method::new(name.trim(), CimType::Uint32);
                me.class_origin = Some(CimName::new(&def.name));
                me.propagated = Some(false);
                def.methods.push(me);
            } else {
                def.props.push(parse_property(line, &def.name).map_err(at)?);
            }
        } else if indent == 4 {
            let method = def
                .methods
                .last_mut()
                .ok_or_else(|| at("parameter outside a method".into()))?;
            method.parameters.push(parse_parameter(line).map_err(at)?);
        } else {
            return Err(at(format!("unexpected indentation {indent}")));
        }
    }
    Ok(defs)
}

/// Every class definition of the tables, superclasses first.
fn class_defs() -> Result<Vec<ClassDef>, String> {
    let mut all = Vec::new();
    for (file, text) in TABLES {
        all.extend(parse_table(file, text)?);
    }
    Ok(all)
}

impl ClassRepo {
    /// The repository of all served classes (built once per process, then cloned).
    pub fn new() -> ClassRepo {
        static REPO: OnceLock<ClassRepo> = OnceLock::new();
        REPO.get_or_init(|| {
            // The tables are part of the crate; a unit test proves they parse.
            ClassRepo::resolve(class_defs().unwrap_or_else(|e| {
                tracing::error!("class table: {e}");
                Vec::new()
            }))
        })
        .clone()
    }

    /// Resolves inheritance: each class gets its superclass's properties and methods
    /// (PROPAGATED), then its own, then the ValueMap/Values qualifiers of the schema.
    fn resolve(defs: Vec<ClassDef>) -> ClassRepo {
        let mut repo = ClassRepo {
            classes: Vec::new(),
            index: HashMap::new(),
        };
        for def in defs {
            let mut class = CimClass::new(def.name.as_str());
            class.superclass = def.superclass.as_deref().map(CimName::new);
            if let Some(sup) = def.superclass.as_deref().and_then(|s| repo.get(s)).cloned() {
                for mut p in sup.properties {
                    p.propagated = Some(true);
                    class.properties.push(p);
                }
                for mut me in sup.methods {
                    me.propagated = Some(true);
                    class.methods.push(me);
                }
                class.qualifiers = sup
                    .qualifiers
                    .into_iter()
                    .filter(|q| q.name == "Association")
                    .collect();
            }
            if def.association && !class.qualifiers.iter().any(|q| q.name == "Association") {
                class.qualifiers.push(Qualifier::new("Association", true));
            }
            for mut p in def.props {
                if let Some(old) = class.properties.iter_mut().find(|o| o.name == p.name) {
                    // An override keeps the Key qualifier of the overridden property.
                    if old.is_key() && !p.is_key() {
                        p.extra_mut().qualifiers.insert(0, key_qualifier());
                    }
                    *old = p;
                } else {
                    class.properties.push(p);
                }
            }
            for me in def.methods {
                if let Some(old) = class.methods.iter_mut().find(|o| o.name == me.name) {
                    *old = me;
                } else {
                    class.methods.push(me);
                }
            }
            super::valuemaps::apply(&mut class, |anc| {
                def.name.eq_ignore_ascii_case(anc)
                    || def.superclass.as_deref().is_some_and(|s| repo.is_a(s, anc))
            });
            repo.index
                .insert(def.name.to_ascii_lowercase(), repo.classes.len());
            repo.classes.push(class);
        }
        repo
    }

    /// The class called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&CimClass> {
        self.index
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.classes[i])
    }

    /// True when `name` is served.
    pub fn exists(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// True when `class` is `ancestor` or one of its subclasses.
    pub fn is_a(&self, class: &str, ancestor: &str) -> bool {
        let mut cur = Some(class.to_string());
        let mut guard = 0;
        while let Some(name) = cur {
            if name.eq_ignore_ascii_case(ancestor) {
                return true;
            }
            guard += 1;
            if guard > 32 {
                return false;
            }
            cur = self
                .get(&name)
                .and_then(|c| c.superclass.as_ref())
                .map(|s| s.as_str().to_string());
        }
        false
    }

    /// True when the class carries the Association qualifier.
    pub fn is_association(&self, class: &str) -> bool {
        self.get(class)
            .is_some_and(|c| c.qualifiers.iter().any(|q| q.name == "Association"))
    }

    /// Subclasses of `name` (direct only unless `deep`); `None` = the root classes
    /// (or all classes when `deep`).
    pub fn subclasses(&self, name: Option<&str>, deep: bool) -> Vec<&CimClass> {
        self.classes
            .iter()
            .filter(|c| match (name, &c.superclass) {
                (None, None) => true,
                (None, Some(_)) => deep,
                (Some(_), None) => false,
                (Some(n), Some(sup)) => {
                    if deep {
                        !c.name.eq_ignore_case(n) && self.is_a(c.name.as_str(), n)
                    } else {
                        sup.eq_ignore_case(n)
                    }
                }
            })
            .collect()
    }

    /// All classes.
    pub fn all(&self) -> &[CimClass] {
        &self.classes
    }
}

impl Default for ClassRepo {
    fn default() -> Self {
        ClassRepo::new()
    }
}

/// Returns a copy of `class` shaped by the GetClass/EnumerateClasses flags.
pub fn shape_class(
    class: &CimClass,
    local_only: bool,
    include_qualifiers: bool,
    include_class_origin: bool,
    property_list: Option<&[CimName]>,
) -> CimClass {
    let mut out = class.clone();
    if local_only {
        out.properties.retain(|p| p.propagated != Some(true));
        out.methods.retain(|m| m.propagated != Some(true));
    }
    if let Some(list) = property_list {
        out.properties.retain(|p| list.contains(&p.name));
    }
    if !include_qualifiers {
        out.qualifiers.clear();
        for p in &mut out.properties {
            if let Some(e) = p.extra.as_mut() {
                e.qualifiers.clear();
            }
        }
        for m in &mut out.methods {
            m.qualifiers.clear();
            for p in &mut m.parameters {
                p.qualifiers.clear();
            }
        }
    }
    if !include_class_origin {
        for p in &mut out.properties {
            if let Some(e) = p.extra.as_mut() {
                e.class_origin = None;
            }
        }
        for m in &mut out.methods {
            m.class_origin = None;
        }
    }
    out
}

/// The standard qualifier declarations served by GetQualifier/EnumerateQualifiers.
pub fn qualifier_decls() -> Vec<smis::cim::QualifierDecl> {
    use smis::cim::{QualifierDecl, Scope};
    let decl = |name: &str, ty: CimType, is_array: bool, value: Option<CimValue>, scope: Scope| {
        QualifierDecl {
            name: CimName::new(name),
            cim_type: ty,
            is_array,
            array_size: None,
            value,
            scope: Some(scope),
            flavor: Flavor::default(),
        }
    };
    let any = Scope {
        class: true,
        association: true,
        reference: true,
        property: true,
        method: true,
        parameter: true,
        indication: true,
    };
    let prop_ref = Scope {
        property: true,
        reference: true,
        ..Scope::default()
    };
    let param = Scope {
        parameter: true,
        ..Scope::default()
    };
    let vm = Scope {
        property: true,
        method: true,
        parameter: true,
        ..Scope::default()
    };
    let mut key = decl(
        "Key",
        CimType::Boolean,
        false,
        Some(CimValue::Boolean(false)),
        prop_ref,
    );
    key.flavor.overridable = Some(false);
    key.flavor.tosubclass = Some(true);
    let mut desc = decl("Description", CimType::String, false, None, any);
    desc.flavor.translatable = Some(true);
    vec![
        decl(
            "Association",
            CimType::Boolean,
            false,
            Some(CimValue::Boolean(false)),
            Scope {
                association: true,
                ..Scope::default()
            },
        ),
        desc,
        decl(
            "EmbeddedInstance",
            CimType::String,
            false,
            None,
            Scope {
                property: true,
                method: true,
                parameter: true,
                ..Scope::default()
            },
        ),
        decl(
            "In",
            CimType::Boolean,
            false,
            Some(CimValue::Boolean(true)),
            param,
        ),
        key,
        decl(
            "Out",
            CimType::Boolean,
            false,
            Some(CimValue::Boolean(false)),
            param,
        ),
        decl("ValueMap", CimType::String, true, None, vm),
        decl("Values", CimType::String, true, None, vm),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_parse_completely() {
        let defs = class_defs().expect("class tables parse");
        assert_eq!(defs.len(), 150);
        let repo = ClassRepo::new();
        assert_eq!(repo.all().len(), 150);
        let vol = repo.get("sims_storagevolume").expect("SIMS_StorageVolume");
        assert!(repo.is_a("SIMS_StorageVolume", "CIM_ManagedElement"));
        let id = vol
            .properties
            .iter()
            .find(|p| p.name == "DeviceID")
            .expect("DeviceID");
        assert!(id.is_key());
        assert_eq!(id.propagated, Some(true));
        assert!(repo.is_association("SIMS_ElementConformsToProfile"));
    }

    #[test]
    fn malformed_lines_are_errors() {
        for bad in [
            "  string Name\n",
            "class A\n  strin Name\n",
            "class A\n  string\n",
            "class A\n  string Name extra\n",
            "class A\n    in string P\n",
            "class A\n  method M\n    string P\n",
            "class A : \n",
            "klass A\n",
            "class A\n   string Name\n",
        ] {
            assert!(parse_table("t", bad).is_err(), "{bad:?} should fail");
        }
        let ok = parse_table(
            "t",
            "# c\nclass A\n  key string[] N emb:B\n  method M\n    inout ref:A[] P\n",
        )
        .expect("parses");
        assert_eq!(ok[0].props[0].name, "N");
        assert_eq!(ok[0].methods[0].parameters.len(), 1);
    }
}
