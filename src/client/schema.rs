//! Class and qualifier operations (DSP0200 §5.3.2): GetClass, EnumerateClasses,
//! EnumerateClassNames, CreateClass, ModifyClass, DeleteClass, GetQualifier, SetQualifier,
//! DeleteQualifier, EnumerateQualifiers.

use super::{Client, EnumerateClassesOptions, GetClassOptions};
use crate::cim::{CimClass, CimName, QualifierDecl};
use crate::error::Result;
use crate::message::op;

impl Client {
    /// GetClass.
    pub async fn get_class(&self, class: &str, opts: &GetClassOptions) -> Result<CimClass> {
        self.run(opts.namespace.as_deref(), opts.get(class)).await
    }

    /// EnumerateClasses.
    pub async fn enumerate_classes(&self, opts: &EnumerateClassesOptions) -> Result<Vec<CimClass>> {
        self.run(opts.namespace.as_deref(), opts.classes()).await
    }

    /// EnumerateClassNames.
    pub async fn enumerate_class_names(
        &self,
        opts: &EnumerateClassesOptions,
    ) -> Result<Vec<CimName>> {
        self.run(opts.namespace.as_deref(), opts.class_names())
            .await
    }

    /// CreateClass.
    pub async fn create_class(&self, namespace: Option<&str>, class: CimClass) -> Result<()> {
        self.run(namespace, op::CreateClass { new_class: class })
            .await
    }

    /// ModifyClass.
    pub async fn modify_class(&self, namespace: Option<&str>, class: CimClass) -> Result<()> {
        let modified_class = class;
        self.run(namespace, op::ModifyClass { modified_class })
            .await
    }

    /// DeleteClass.
    pub async fn delete_class(&self, namespace: Option<&str>, class: &str) -> Result<()> {
        let class_name = CimName::new(class);
        self.run(namespace, op::DeleteClass { class_name }).await
    }

    /// GetQualifier.
    pub async fn get_qualifier(
        &self,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<QualifierDecl> {
        let qualifier_name = CimName::new(name);
        self.run(namespace, op::GetQualifier { qualifier_name })
            .await
    }

    /// SetQualifier.
    pub async fn set_qualifier(&self, namespace: Option<&str>, decl: QualifierDecl) -> Result<()> {
        let qualifier_declaration = decl;
        self.run(
            namespace,
            op::SetQualifier {
                qualifier_declaration,
            },
        )
        .await
    }

    /// DeleteQualifier.
    pub async fn delete_qualifier(&self, namespace: Option<&str>, name: &str) -> Result<()> {
        let qualifier_name = CimName::new(name);
        self.run(namespace, op::DeleteQualifier { qualifier_name })
            .await
    }

    /// EnumerateQualifiers.
    pub async fn enumerate_qualifiers(
        &self,
        namespace: Option<&str>,
    ) -> Result<Vec<QualifierDecl>> {
        self.run(namespace, op::EnumerateQualifiers {}).await
    }
}
