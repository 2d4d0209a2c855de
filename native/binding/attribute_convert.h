// Attributes and `where` predicates between JS and the core: types only (the
// core checks names, limits and field types).
//
// A where arrives already normalised by src/where.ts:
//   { op: 'and' | 'or' | 'not', children: [...] }
//   { op: 'eq' | 'ne' | 'in', field, values: [...] }
//   { op: 'range', field, lower?, lowerInclusive?, upper?, upperInclusive? }
#pragma once

#include <napi.h>

#include "records/attribute_records.h"
#include "search/where.h"

namespace arroy_binding {

// undefined or null: none.
arroy::Attributes to_attributes(Napi::Env env, const Napi::Value& value);
Napi::Object attributes_to_js(Napi::Env env, const arroy::Attributes& attributes);
arroy::WhereNode to_where(Napi::Env env, const Napi::Value& value);

}  // namespace arroy_binding
