#include "attribute_convert.h"

#include "js_convert.h"
#include "js_errors.h"
#include "limits.h"

namespace arroy_binding {

namespace {

arroy::AttributeScalar to_scalar(Napi::Env env, const Napi::Value& value, const std::string& what) {
  arroy::AttributeScalar out;
  if (value.IsString()) {
    out.type = arroy::AttributeType::String;
    out.text = to_string(env, value, what.c_str());
  } else if (value.IsNumber()) {
    out.type = arroy::AttributeType::Number;
    out.number = value.As<Napi::Number>().DoubleValue();
  } else if (value.IsBoolean()) {
    out.type = arroy::AttributeType::Boolean;
    out.boolean = value.As<Napi::Boolean>().Value();
  } else {
    throw_invalid(env, what + " must be a string, a number or a boolean");
  }
  return out;
}

Napi::Value scalar_to_js(Napi::Env env, const arroy::AttributeScalar& v) {
  switch (v.type) {
    case arroy::AttributeType::Number: return Napi::Number::New(env, v.number);
    case arroy::AttributeType::Boolean: return Napi::Boolean::New(env, v.boolean);
    case arroy::AttributeType::String: return Napi::String::New(env, v.text);
  }
  return env.Undefined();
}

arroy::WhereNode to_node(Napi::Env env, const Napi::Value& value, uint32_t depth) {
  if (depth > arroy::kMaxWhereDepth) {
    throw_invalid(env, "a where nests deeper than " + std::to_string(arroy::kMaxWhereDepth) + " levels");
  }
  if (!value.IsObject()) throw_invalid(env, "a where node must be an object");
  Napi::Object o = value.As<Napi::Object>();
  const std::string op = to_string(env, o.Get("op"), "where op");
  arroy::WhereNode node;
  if (op == "and" || op == "or" || op == "not") {
    node.op = op == "and" ? arroy::WhereOp::And : op == "or" ? arroy::WhereOp::Or : arroy::WhereOp::Not;
    Napi::Value children = o.Get("children");
    if (!children.IsArray()) throw_invalid(env, "a where's children must be an array");
    Napi::Array list = children.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) node.children.push_back(to_node(env, list.Get(i), depth + 1));
    return node;
  }
  node.field = to_string(env, o.Get("field"), "where field");
  if (op == "range") {
    node.op = arroy::WhereOp::Range;
    if (has_option(o, "lower")) {
      node.has_lower = true;
      node.lower = to_double(env, o.Get("lower"), "where lower bound");
      node.lower_inclusive = o.Get("lowerInclusive").ToBoolean();
    }
    if (has_option(o, "upper")) {
      node.has_upper = true;
      node.upper = to_double(env, o.Get("upper"), "where upper bound");
      node.upper_inclusive = o.Get("upperInclusive").ToBoolean();
    }
    return node;
  }
  if (op == "eq") node.op = arroy::WhereOp::Eq;
  else if (op == "ne") node.op = arroy::WhereOp::Ne;
  else if (op == "in") node.op = arroy::WhereOp::In;
  else throw_invalid(env, "unknown where op '" + op + "'");
  Napi::Value values = o.Get("values");
  if (!values.IsArray()) throw_invalid(env, "a where's values must be an array");
  Napi::Array list = values.As<Napi::Array>();
  if (list.Length() > arroy::kMaxWhereValues) {
    throw_invalid(env, "a where predicate lists more than " + std::to_string(arroy::kMaxWhereValues) + " values");
  }
  for (uint32_t i = 0; i < list.Length(); i++) {
    node.values.push_back(to_scalar(env, list.Get(i), "the where value of '" + node.field + "'"));
  }
  return node;
}

}  // namespace

arroy::Attributes to_attributes(Napi::Env env, const Napi::Value& value) {
  arroy::Attributes out;
  if (value.IsUndefined() || value.IsNull()) return out;
  if (!value.IsObject() || value.IsArray()) throw_invalid(env, "attributes must be a plain object");
  Napi::Object o = value.As<Napi::Object>();
  Napi::Array names = o.GetPropertyNames();
  if (names.Length() > arroy::kMaxAttributeFields) {
    throw_invalid(env, "an item may have at most " + std::to_string(arroy::kMaxAttributeFields) + " attributes");
  }
  for (uint32_t i = 0; i < names.Length(); i++) {
    arroy::AttributeField field;
    field.name = to_string(env, names.Get(i), "an attribute name");
    const std::string what = "attribute '" + field.name + "'";
    Napi::Value v = o.Get(names.Get(i));
    if (v.IsArray()) {
      Napi::Array list = v.As<Napi::Array>();
      if (list.Length() == 0) continue;  // no values: the same as no field
      if (list.Length() > 0xFFFF) throw_invalid(env, what + " has too many values");
      field.array = true;
      for (uint32_t j = 0; j < list.Length(); j++) field.values.push_back(to_scalar(env, list.Get(j), what));
    } else {
      field.values.push_back(to_scalar(env, v, what));
    }
    field.type = field.values[0].type;
    out.push_back(std::move(field));
  }
  return out;
}

Napi::Object attributes_to_js(Napi::Env env, const arroy::Attributes& attributes) {
  Napi::Object out = Napi::Object::New(env);
  for (const arroy::AttributeField& field : attributes) {
    if (field.array) {
      Napi::Array list = Napi::Array::New(env, field.values.size());
      for (size_t i = 0; i < field.values.size(); i++) list[static_cast<uint32_t>(i)] = scalar_to_js(env, field.values[i]);
      out.Set(field.name, list);
    } else {
      out.Set(field.name, scalar_to_js(env, field.values[0]));
    }
  }
  return out;
}

arroy::WhereNode to_where(Napi::Env env, const Napi::Value& value) { return to_node(env, value, 1); }

}  // namespace arroy_binding
