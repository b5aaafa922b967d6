//! Instances, classes, properties, methods, parameters and qualifiers.

use super::{
    CimName, CimType, CimValue, EmbeddedKind, FromCimValue, ObjectPath, ToCimValue, ValueError,
};

/// Qualifier flavors (DSP0004 §5.6.1). `None` means "not stated" (the default applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flavor {
    /// `OVERRIDABLE` (default true).
    pub overridable: Option<bool>,
    /// `TOSUBCLASS` (default true).
    pub tosubclass: Option<bool>,
    /// `TOINSTANCE` (default false).
    pub toinstance: Option<bool>,
    /// `TRANSLATABLE` (default false).
    pub translatable: Option<bool>,
}

/// A qualifier on a class, property, method, parameter or instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Qualifier {
    /// Name, e.g. `Key`, `Description`, `ValueMap`.
    pub name: CimName,
    /// Type of the value.
    pub cim_type: CimType,
    /// Value (None = NULL).
    pub value: Option<CimValue>,
    /// `PROPAGATED`.
    pub propagated: Option<bool>,
    /// Flavors.
    pub flavor: Flavor,
}

impl Qualifier {
    /// A qualifier with a value and default flavors.
    pub fn new(name: impl Into<CimName>, value: impl Into<CimValue>) -> Self {
        let value = value.into();
        Qualifier {
            name: name.into(),
            cim_type: value.cim_type(),
            value: Some(value),
            propagated: None,
            flavor: Flavor::default(),
        }
    }
}

/// Rarely-present property details, kept out of line so that a property in a large
/// enumeration costs 64 bytes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PropertyExtra {
    /// `REFERENCECLASS` of a reference property.
    pub reference_class: Option<CimName>,
    /// `CLASSORIGIN`.
    pub class_origin: Option<CimName>,
    /// `ARRAYSIZE` of a fixed-size array.
    pub array_size: Option<u32>,
    /// Qualifiers.
    pub qualifiers: Vec<Qualifier>,
}

/// A property of an instance or class.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Name.
    pub name: CimName,
    /// Value; `None` is NULL.
    pub value: Option<CimValue>,
    /// Declared CIM type (element type for arrays).
    pub cim_type: CimType,
    /// True for `PROPERTY.ARRAY`.
    pub is_array: bool,
    /// Embedded object kind for string properties that carry one.
    pub embedded: Option<EmbeddedKind>,
    /// `PROPAGATED`.
    pub propagated: Option<bool>,
    /// Reference class, class origin, array size and qualifiers.
    pub extra: Option<Box<PropertyExtra>>,
}

impl Property {
    /// A property with a value; type, array-ness and embedded kind follow from the value.
    pub fn new(name: impl Into<CimName>, value: impl Into<CimValue>) -> Self {
        let value = value.into();
        let embedded = embedded_kind_of(&value);
        Property {
            name: name.into(),
            cim_type: value.cim_type(),
            is_array: value.is_array(),
            embedded,
            value: Some(value),
            propagated: None,
            extra: None,
        }
    }

    /// A NULL property of the given type.
    pub fn null(name: impl Into<CimName>, cim_type: CimType, is_array: bool) -> Self {
        Property {
            name: name.into(),
            value: None,
            cim_type,
            is_array,
            embedded: None,
            propagated: None,
            extra: None,
        }
    }

    /// A property from a typed Rust value (`None` becomes a typed NULL).
    pub fn typed<T: ToCimValue>(name: impl Into<CimName>, value: T) -> Self {
        match value.to_cim() {
            Some(v) => Property::new(name, v),
            None => Property::null(name, T::cim_type(), false),
        }
    }

    /// The `REFERENCECLASS`.
    pub fn reference_class(&self) -> Option<&CimName> {
        self.extra.as_ref()?.reference_class.as_ref()
    }
    /// The `CLASSORIGIN`.
    pub fn class_origin(&self) -> Option<&CimName> {
        self.extra.as_ref()?.class_origin.as_ref()
    }
    /// The qualifiers.
    pub fn qualifiers(&self) -> &[Qualifier] {
        self.extra
            .as_ref()
            .map(|e| e.qualifiers.as_slice())
            .unwrap_or(&[])
    }
    /// The `ARRAYSIZE`.
    pub fn array_size(&self) -> Option<u32> {
        self.extra.as_ref()?.array_size
    }
    /// Mutable access to the extra details (created on demand).
    pub fn extra_mut(&mut self) -> &mut PropertyExtra {
        self.extra.get_or_insert_with(Default::default)
    }
    /// True when the property carries the `Key` qualifier.
    pub fn is_key(&self) -> bool {
        self.qualifiers()
            .iter()
            .any(|q| q.name == "Key" && matches!(q.value, Some(CimValue::Boolean(true)) | None))
    }
}

pub(crate) fn embedded_kind_of(v: &CimValue) -> Option<EmbeddedKind> {
    match v {
        CimValue::Instance(_) => Some(EmbeddedKind::Instance),
        CimValue::Class(_) => Some(EmbeddedKind::Object),
        CimValue::Array(a) => a.items.iter().flatten().find_map(embedded_kind_of),
        _ => None,
    }
}

/// A CIM instance: class name, ordered properties, optional path and qualifiers.
///
/// ```
/// use smis::cim::{Instance, ObjectPath};
/// let mut vol = Instance::new("SIM_StorageVolume");
/// vol.set("ElementName", "db01");
/// vol.set("BlockSize", 512u64);
/// vol.set("OperationalStatus", vec![2u16]);
/// assert_eq!(vol.get::<u64>("blocksize").unwrap(), 512);
/// assert_eq!(vol.get::<Vec<u16>>("OperationalStatus").unwrap(), vec![2]);
/// assert!(vol.get::<String>("BlockSize").is_err());
/// assert_eq!(vol.get::<Option<String>>("Missing").unwrap_err().to_string(), "no property or parameter named Missing");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Class name.
    pub class_name: CimName,
    /// Properties, in the order received or set.
    pub properties: Vec<Property>,
    /// The instance path, when known (`VALUE.NAMEDINSTANCE`, `VALUE.INSTANCEWITHPATH`).
    pub path: Option<ObjectPath>,
    /// Instance qualifiers (rare).
    pub qualifiers: Vec<Qualifier>,
}

impl Instance {
    /// An empty instance of `class_name`.
    pub fn new(class_name: impl Into<CimName>) -> Self {
        Instance {
            class_name: class_name.into(),
            properties: Vec::new(),
            path: None,
            qualifiers: Vec::new(),
        }
    }

    /// The property called `name` (case-insensitive).
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// Mutable access to the property called `name`.
    pub fn property_mut(&mut self, name: &str) -> Option<&mut Property> {
        self.properties.iter_mut().find(|p| p.name == name)
    }

    /// The value of property `name` (None when absent or NULL).
    pub fn value(&self, name: &str) -> Option<&CimValue> {
        self.property(name)?.value.as_ref()
    }

    /// Reads property `name` as `T`. Errors: no such property, NULL (unless `T` is an
    /// `Option`), or a type mismatch.
    pub fn get<T: FromCimValue>(&self, name: &str) -> Result<T, ValueError> {
        let p = self
            .property(name)
            .ok_or_else(|| ValueError::NoSuchName(name.to_string()))?;
        T::from_cim_opt(p.value.as_ref())
    }

    /// Reads property `name` as `T`, treating an absent property like NULL.
    pub fn get_opt<T: FromCimValue>(&self, name: &str) -> Result<Option<T>, ValueError> {
        match self.property(name).and_then(|p| p.value.as_ref()) {
            Some(v) => T::from_cim(v).map(Some),
            None => Ok(None),
        }
    }

    /// Sets property `name` (replacing one of the same name, keeping its position).
    pub fn set(&mut self, name: impl Into<CimName>, value: impl Into<CimValue>) -> &mut Self {
        self.set_property(Property::new(name, value))
    }

    /// Adds or replaces a property.
    pub fn set_property(&mut self, prop: Property) -> &mut Self {
        if let Some(p) = self.properties.iter_mut().find(|p| p.name == prop.name) {
            *p = prop;
        } else {
            self.properties.push(prop);
        }
        self
    }

    /// Builder-style [`Instance::set`].
    pub fn with(mut self, name: impl Into<CimName>, value: impl Into<CimValue>) -> Self {
        self.set(name, value);
        self
    }

    /// Builder-style: sets a property from a typed value (`None` becomes a typed NULL).
    pub fn with_typed<T: ToCimValue>(mut self, name: impl Into<CimName>, value: T) -> Self {
        self.set_property(Property::typed(name, value));
        self
    }

    /// Builds the instance path from the named key properties (in the given order).
    pub fn path_from_keys(&self, namespace: &str, keys: &[&str]) -> Result<ObjectPath, ValueError> {
        let mut p = ObjectPath::new(namespace, self.class_name.clone());
        for k in keys {
            let v = self
                .value(k)
                .ok_or_else(|| ValueError::NoSuchName(k.to_string()))?;
            p.keys.push(super::KeyBinding::new(*k, v.clone()));
        }
        Ok(p)
    }
}

/// A method parameter declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name.
    pub name: CimName,
    /// Type (element type for arrays).
    pub cim_type: CimType,
    /// True for array parameters.
    pub is_array: bool,
    /// `ARRAYSIZE`.
    pub array_size: Option<u32>,
    /// `REFERENCECLASS` for reference parameters.
    pub reference_class: Option<CimName>,
    /// Qualifiers (`IN`, `OUT`, `EmbeddedInstance`, ...).
    pub qualifiers: Vec<Qualifier>,
}

impl Parameter {
    /// A parameter declaration.
    pub fn new(name: impl Into<CimName>, cim_type: CimType, is_array: bool) -> Self {
        Parameter {
            name: name.into(),
            cim_type,
            is_array,
            array_size: None,
            reference_class: None,
            qualifiers: Vec::new(),
        }
    }

    fn flag(&self, q: &str, default: bool) -> bool {
        self.qualifiers
            .iter()
            .find(|x| x.name == q)
            .map(|x| !matches!(x.value, Some(CimValue::Boolean(false))))
            .unwrap_or(default)
    }

    /// True when the parameter is an input (`IN` qualifier; default true).
    pub fn is_in(&self) -> bool {
        self.flag("IN", true)
    }
    /// True when the parameter is an output (`OUT` qualifier).
    pub fn is_out(&self) -> bool {
        self.flag("OUT", false)
    }
}

/// A method declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    /// Name.
    pub name: CimName,
    /// Return type (None when not stated).
    pub return_type: Option<CimType>,
    /// Parameters, in order.
    pub parameters: Vec<Parameter>,
    /// Qualifiers.
    pub qualifiers: Vec<Qualifier>,
    /// `CLASSORIGIN`.
    pub class_origin: Option<CimName>,
    /// `PROPAGATED`.
    pub propagated: Option<bool>,
}

impl Method {
    /// A method declaration.
    pub fn new(name: impl Into<CimName>, return_type: CimType) -> Self {
        Method {
            name: name.into(),
            return_type: Some(return_type),
            parameters: Vec::new(),
            qualifiers: Vec::new(),
            class_origin: None,
            propagated: None,
        }
    }

    /// The parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

/// A CIM class.
#[derive(Debug, Clone, PartialEq)]
pub struct CimClass {
    /// Class name.
    pub name: CimName,
    /// Superclass.
    pub superclass: Option<CimName>,
    /// Properties (with qualifiers, class origin, default values).
    pub properties: Vec<Property>,
    /// Methods.
    pub methods: Vec<Method>,
    /// Class qualifiers.
    pub qualifiers: Vec<Qualifier>,
    /// The class path, when known.
    pub path: Option<ObjectPath>,
}

impl CimClass {
    /// An empty class.
    pub fn new(name: impl Into<CimName>) -> Self {
        CimClass {
            name: name.into(),
            superclass: None,
            properties: Vec::new(),
            methods: Vec::new(),
            qualifiers: Vec::new(),
            path: None,
        }
    }

    /// The property called `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The method called `name`.
    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods.iter().find(|m| m.name == name)
    }

    /// The names of the key properties.
    pub fn key_names(&self) -> Vec<CimName> {
        self.properties
            .iter()
            .filter(|p| p.is_key())
            .map(|p| p.name.clone())
            .collect()
    }
}

/// Where a qualifier may be used (`SCOPE` of a qualifier declaration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scope {
    /// Classes.
    pub class: bool,
    /// Associations.
    pub association: bool,
    /// References.
    pub reference: bool,
    /// Properties.
    pub property: bool,
    /// Methods.
    pub method: bool,
    /// Parameters.
    pub parameter: bool,
    /// Indications.
    pub indication: bool,
}

/// A qualifier declaration (`QUALIFIER.DECLARATION`).
#[derive(Debug, Clone, PartialEq)]
pub struct QualifierDecl {
    /// Name.
    pub name: CimName,
    /// Type.
    pub cim_type: CimType,
    /// True for array-valued qualifiers.
    pub is_array: bool,
    /// `ARRAYSIZE`.
    pub array_size: Option<u32>,
    /// Default value.
    pub value: Option<CimValue>,
    /// Scopes (None when the declaration has no `SCOPE` element).
    pub scope: Option<Scope>,
    /// Flavors.
    pub flavor: Flavor,
}
