//! The schema the fake GitHub checks GraphQL queries against, read from
//! `github_schema.graphql` (a part of GitHub's public schema), and the
//! checks themselves: fields, arguments, enum values, input objects,
//! variables and fragments, with GitHub's error messages.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use graphql_parser::query as q;
use graphql_parser::schema as s;
use graphql_parser::Pos;
use serde_json::{json, Value};

const SCHEMA_TEXT: &str = include_str!("../github_schema.graphql");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn from_ast<'a>(ty: &s::Type<'a, String>) -> TypeRef {
        match ty {
            s::Type::NamedType(name) => TypeRef::Named(name.clone()),
            s::Type::ListType(inner) => TypeRef::List(Box::new(TypeRef::from_ast(inner))),
            s::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(TypeRef::from_ast(inner))),
        }
    }

    pub fn from_query<'a>(ty: &q::Type<'a, &'a str>) -> TypeRef {
        match ty {
            q::Type::NamedType(name) => TypeRef::Named(name.to_string()),
            q::Type::ListType(inner) => TypeRef::List(Box::new(TypeRef::from_query(inner))),
            q::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(TypeRef::from_query(inner))),
        }
    }

    /// The named type inside lists and non-nulls.
    pub fn name(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.name(),
        }
    }

    pub fn is_list(&self) -> bool {
        match self {
            TypeRef::Named(_) => false,
            TypeRef::List(_) => true,
            TypeRef::NonNull(inner) => inner.is_list(),
        }
    }

    fn non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    /// GraphQL's own spelling: `[PullRequestState!]`.
    pub fn text(&self) -> String {
        match self {
            TypeRef::Named(name) => name.clone(),
            TypeRef::List(inner) => format!("[{}]", inner.text()),
            TypeRef::NonNull(inner) => format!("{}!", inner.text()),
        }
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Enum,
    Input,
}

#[derive(Debug)]
pub struct Arg {
    pub ty: TypeRef,
    pub default: Option<Value>,
}

#[derive(Debug)]
pub struct FieldDef {
    pub ty: TypeRef,
    pub args: Vec<(String, Arg)>,
}

impl FieldDef {
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }
}

#[derive(Debug)]
pub struct TypeDef {
    pub kind: Kind,
    pub fields: HashMap<String, FieldDef>,
    /// Input object fields.
    pub inputs: Vec<(String, Arg)>,
    pub values: HashSet<String>,
    pub interfaces: Vec<String>,
}

#[derive(Debug)]
pub struct Schema {
    pub types: HashMap<String, TypeDef>,
}

/// The schema, parsed once per process.
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| Schema::parse(SCHEMA_TEXT).unwrap_or_else(|e| panic!("github_schema.graphql: {e}")))
}

impl Schema {
    pub fn parse(text: &str) -> Result<Schema, String> {
        let document = s::parse_schema::<String>(text).map_err(|e| e.to_string())?;
        let mut types = HashMap::new();
        let arg = |input: &s::InputValue<'_, String>| {
            (
                input.name.clone(),
                Arg { ty: TypeRef::from_ast(&input.value_type), default: input.default_value.as_ref().map(constant) },
            )
        };
        let fields = |list: &[s::Field<'_, String>]| -> HashMap<String, FieldDef> {
            list.iter()
                .map(|f| {
                    let def =
                        FieldDef { ty: TypeRef::from_ast(&f.field_type), args: f.arguments.iter().map(arg).collect() };
                    (f.name.clone(), def)
                })
                .collect()
        };
        let empty = |kind| TypeDef {
            kind,
            fields: HashMap::new(),
            inputs: Vec::new(),
            values: HashSet::new(),
            interfaces: Vec::new(),
        };
        for definition in &document.definitions {
            let s::Definition::TypeDefinition(definition) = definition else { continue };
            let (name, def) = match definition {
                s::TypeDefinition::Scalar(t) => (t.name.clone(), empty(Kind::Scalar)),
                s::TypeDefinition::Object(t) => (
                    t.name.clone(),
                    TypeDef {
                        fields: fields(&t.fields),
                        interfaces: t.implements_interfaces.clone(),
                        ..empty(Kind::Object)
                    },
                ),
                s::TypeDefinition::Interface(t) => {
                    (t.name.clone(), TypeDef { fields: fields(&t.fields), ..empty(Kind::Interface) })
                }
                s::TypeDefinition::Enum(t) => (
                    t.name.clone(),
                    TypeDef { values: t.values.iter().map(|v| v.name.clone()).collect(), ..empty(Kind::Enum) },
                ),
                s::TypeDefinition::InputObject(t) => {
                    (t.name.clone(), TypeDef { inputs: t.fields.iter().map(arg).collect(), ..empty(Kind::Input) })
                }
                s::TypeDefinition::Union(t) => return Err(format!("union {} is not supported by the fake", t.name)),
            };
            types.insert(name, def);
        }
        for builtin in ["String", "Int", "Boolean", "ID", "Float"] {
            types.insert(builtin.to_string(), empty(Kind::Scalar));
        }
        let schema = Schema { types };
        schema.check_references()?;
        Ok(schema)
    }

    /// Every type a field or argument names is defined.
    fn check_references(&self) -> Result<(), String> {
        for (name, def) in &self.types {
            let named = def
                .fields
                .values()
                .flat_map(|f| std::iter::once(&f.ty).chain(f.args.iter().map(|(_, a)| &a.ty)))
                .chain(def.inputs.iter().map(|(_, a)| &a.ty));
            for ty in named {
                if !self.types.contains_key(ty.name()) {
                    return Err(format!("{name} refers to an undefined type {}", ty.name()));
                }
            }
        }
        Ok(())
    }

    pub fn kind(&self, name: &str) -> Option<Kind> {
        self.types.get(name).map(|t| t.kind)
    }

    pub fn field(&self, type_name: &str, field: &str) -> Option<&FieldDef> {
        self.types.get(type_name)?.fields.get(field)
    }

    /// Whether an object of `concrete` may be seen through `abstract_type`.
    pub fn fits(&self, concrete: &str, abstract_type: &str) -> bool {
        concrete == abstract_type
            || self.types.get(concrete).is_some_and(|t| t.interfaces.iter().any(|i| i == abstract_type))
    }

    /// Whether a fragment on `condition` can apply inside `parent`.
    fn overlaps(&self, condition: &str, parent: &str) -> bool {
        self.fits(condition, parent) || self.fits(parent, condition) || condition == parent
    }
}

/// A default value from the schema as JSON (no variables there).
fn constant(value: &s::Value<'_, String>) -> Value {
    match value {
        s::Value::Variable(_) | s::Value::Null => Value::Null,
        s::Value::Int(n) => json!(n.as_i64()),
        s::Value::Float(f) => json!(f),
        s::Value::String(text) => json!(text),
        s::Value::Boolean(b) => json!(b),
        s::Value::Enum(name) => json!(name),
        s::Value::List(items) => Value::Array(items.iter().map(constant).collect()),
        s::Value::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), constant(v))).collect()),
    }
}

/// One GraphQL error in GitHub's shape.
pub fn error(message: String, path: &[String], at: Option<Pos>, code: Option<&str>) -> Value {
    let mut value = json!({ "message": message });
    if !path.is_empty() {
        value["path"] = json!(path);
    }
    if let Some(at) = at {
        value["locations"] = json!([{ "line": at.line, "column": at.column }]);
    }
    if let Some(code) = code {
        value["extensions"] = json!({ "code": code });
    }
    value
}

pub type Fragments<'q> = HashMap<&'q str, &'q q::FragmentDefinition<'q, &'q str>>;

/// Checks an operation against the schema; returns every problem found.
pub struct Checker<'q> {
    pub schema: &'static Schema,
    pub fragments: &'q Fragments<'q>,
    pub variables: HashMap<&'q str, TypeRef>,
    pub used_fragments: HashSet<&'q str>,
    pub used_variables: HashSet<&'q str>,
    pub errors: Vec<Value>,
}

impl<'q> Checker<'q> {
    pub fn selection_set(&mut self, type_name: &str, set: &'q q::SelectionSet<'q, &'q str>, path: &mut Vec<String>) {
        for selection in &set.items {
            match selection {
                q::Selection::Field(field) => self.field(type_name, field, path),
                q::Selection::InlineFragment(fragment) => {
                    let condition = match &fragment.type_condition {
                        Some(q::TypeCondition::On(name)) => *name,
                        None => type_name,
                    };
                    if self.fragment_condition(condition, type_name, None, fragment.position, path) {
                        path.push(format!("... on {condition}"));
                        self.selection_set(condition, &fragment.selection_set, path);
                        path.pop();
                    }
                }
                q::Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name;
                    let Some(definition) = self.fragments.get(name).copied() else {
                        self.errors.push(error(
                            format!("Fragment {name} was used, but not defined"),
                            path,
                            Some(spread.position),
                            Some("useAndDefineFragment"),
                        ));
                        continue;
                    };
                    let q::TypeCondition::On(condition) = &definition.type_condition;
                    // Each fragment is checked once, where it is first used.
                    if self.used_fragments.insert(name)
                        && self.fragment_condition(condition, type_name, Some(name), spread.position, path)
                    {
                        path.push(format!("fragment {name}"));
                        self.selection_set(condition, &definition.selection_set, path);
                        path.pop();
                    }
                }
            }
        }
    }

    fn fragment_condition(
        &mut self,
        condition: &str,
        parent: &str,
        name: Option<&str>,
        at: Pos,
        path: &[String],
    ) -> bool {
        let what = name.map(|n| format!("Fragment {n}")).unwrap_or_else(|| "Fragment".into());
        match self.schema.kind(condition) {
            Some(Kind::Object | Kind::Interface) if self.schema.overlaps(condition, parent) => true,
            Some(Kind::Object | Kind::Interface) => {
                let message = format!("{what} on {condition} can't be spread inside {parent}");
                self.errors.push(error(message, path, Some(at), Some("fragmentSpreadTypeMismatch")));
                false
            }
            Some(_) => {
                let message = format!("Invalid fragment on type {condition} (must be Union, Interface or Object)");
                self.errors.push(error(message, path, Some(at), Some("fragmentOnNonCompositeType")));
                false
            }
            None => {
                let message = format!("No such type {condition}, so it can't be a fragment condition");
                self.errors.push(error(message, path, Some(at), Some("undefinedType")));
                false
            }
        }
    }

    fn field(&mut self, type_name: &str, field: &'q q::Field<'q, &'q str>, path: &mut Vec<String>) {
        let name = field.name;
        path.push(field.alias.unwrap_or(name).to_string());
        if name == "__typename" {
            if !field.selection_set.items.is_empty() {
                self.leaf_with_selections(name, "String!", field.position, path);
            }
            path.pop();
            return;
        }
        let Some(def) = self.schema.field(type_name, name) else {
            let message = format!("Field '{name}' doesn't exist on type '{type_name}'");
            self.errors.push(error(message, path, Some(field.position), Some("undefinedField")));
            path.pop();
            return;
        };
        for (arg_name, value) in &field.arguments {
            match def.arg(arg_name) {
                Some(arg) => self.value(
                    value,
                    &arg.ty,
                    &format!("argument '{arg_name}' on Field '{name}'"),
                    field.position,
                    path,
                ),
                None => {
                    let message = format!("Field '{name}' doesn't accept argument '{arg_name}'");
                    self.errors.push(error(message, path, Some(field.position), Some("argumentNotAccepted")));
                }
            }
        }
        let missing: Vec<&str> = def
            .args
            .iter()
            .filter(|(n, a)| {
                a.ty.non_null() && a.default.is_none() && !field.arguments.iter().any(|(given, _)| given == n)
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if !missing.is_empty() {
            let message = format!("Field '{name}' is missing required arguments: {}", missing.join(", "));
            self.errors.push(error(message, path, Some(field.position), Some("missingRequiredArguments")));
        }
        let inner = def.ty.name().to_string();
        match self.schema.kind(&inner) {
            Some(Kind::Object | Kind::Interface) if field.selection_set.items.is_empty() => {
                let message = format!(
                    "Field must have selections (field '{name}' returns {} but has no selections. Did you mean '{name} {{ ... }}'?)",
                    def.ty.text()
                );
                self.errors.push(error(message, path, Some(field.position), Some("selectionMismatch")));
            }
            Some(Kind::Object | Kind::Interface) => self.selection_set(&inner, &field.selection_set, path),
            _ if !field.selection_set.items.is_empty() => {
                self.leaf_with_selections(name, &def.ty.text(), field.position, path)
            }
            _ => {}
        }
        path.pop();
    }

    fn leaf_with_selections(&mut self, name: &str, ty: &str, at: Pos, path: &[String]) {
        let message = format!("Selections can't be made on scalars (field '{name}' returns {ty} but has selections)");
        self.errors.push(error(message, path, Some(at), Some("selectionMismatch")));
    }

    /// A literal or variable given where `ty` is expected.
    fn value(&mut self, value: &'q q::Value<'q, &'q str>, ty: &TypeRef, what: &str, at: Pos, path: &[String]) {
        let bad = |checker: &mut Checker<'q>, detail: String| {
            let message = format!("Argument '{what}' has an invalid value ({detail}). Expected type '{}'.", ty.text());
            checker.errors.push(error(message, path, Some(at), Some("argumentLiteralsIncompatible")));
        };
        match (value, ty) {
            (q::Value::Variable(name), _) => {
                self.used_variables.insert(name);
                match self.variables.get(name) {
                    None => {
                        let message = format!("Variable ${name} is used by anonymous query but not declared");
                        self.errors.push(error(message, path, Some(at), Some("variableNotDefined")));
                    }
                    Some(declared) if declared.name() != ty.name() || declared.is_list() != ty.is_list() => {
                        let message = format!(
                            "Type mismatch on variable ${name} and {what} ({} / {})",
                            declared.text(),
                            ty.text()
                        );
                        self.errors.push(error(message, path, Some(at), Some("variableMismatch")));
                    }
                    Some(_) => {}
                }
            }
            (q::Value::Null, TypeRef::NonNull(_)) => bad(self, "null".into()),
            (q::Value::Null, _) => {}
            (_, TypeRef::NonNull(inner)) => self.value(value, inner, what, at, path),
            (q::Value::List(items), TypeRef::List(inner)) => {
                for item in items {
                    self.value(item, inner, what, at, path);
                }
            }
            // A single value where a list is expected is coerced to a list.
            (_, TypeRef::List(inner)) => self.value(value, inner, what, at, path),
            (_, TypeRef::Named(name)) => {
                let ok = match (value, name.as_str(), self.schema.kind(name)) {
                    (q::Value::Int(_), "Int" | "Float" | "ID", _) => true,
                    (q::Value::Float(_), "Float", _) => true,
                    (q::Value::String(_), "String" | "ID" | "DateTime" | "GitObjectID" | "URI", _) => true,
                    (q::Value::Boolean(_), "Boolean", _) => true,
                    (q::Value::Enum(v), _, Some(Kind::Enum)) => self.schema.types[name].values.contains(*v),
                    (q::Value::Object(fields), _, Some(Kind::Input)) => {
                        let def = &self.schema.types[name];
                        for (field, field_value) in fields {
                            match def.inputs.iter().find(|(n, _)| n == field) {
                                Some((_, arg)) => self.value(field_value, &arg.ty, what, at, path),
                                None => bad(self, format!("{name} has no field {field}")),
                            }
                        }
                        for (field, arg) in &def.inputs {
                            if arg.ty.non_null() && arg.default.is_none() && !fields.contains_key(field.as_str()) {
                                bad(self, format!("{name} is missing {field}"));
                            }
                        }
                        true
                    }
                    _ => false,
                };
                if !ok {
                    bad(self, format!("{value}"));
                }
            }
        }
    }
}
