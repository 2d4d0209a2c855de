/**
 * Item attributes and the `where` predicates that filter searches by them:
 * the public types, the checks that give messages naming the argument, and
 * the normalisation of a Mongo-like `where` into the tree the binding takes
 * (native/binding/attribute_convert.h). Whether a field exists and has the
 * type a predicate compares it with is checked by the core, against the
 * committed file.
 */
import { invalidArgument } from './errors';
import { checkText, closestName, describe, limits } from './validate';

/** One attribute: a string, a finite number, a boolean, or an array of strings or of numbers (multi-valued tags). */
export type AttributeValue = string | number | boolean | string[] | number[];

/** An item's attributes: at most `limits.maxAttributeFields` fields. */
export type Attributes = Record<string, AttributeValue>;

/** The type a field's first write fixes for the index. */
export type AttributeTypeName = 'string' | 'number' | 'boolean';

type Scalar = string | number | boolean;

/** Comparisons on one field. Several in one object must all hold. */
export interface FieldOperators {
  $eq?: Scalar;
  $ne?: Scalar;
  $in?: Scalar[];
  $gt?: number;
  $gte?: number;
  $lt?: number;
  $lte?: number;
}

/**
 * A predicate over attributes, Mongo-like: `{ genre: 'rock' }` (equality; on
 * an array field, "contains"), `{ genre: { $in: ['rock', 'jazz'] } }`,
 * `{ year: { $gte: 1990, $lt: 2000 } }`, `{ $and: [...] }`, `{ $or: [...] }`,
 * `{ $not: {...} }`. Several keys in one object must all hold.
 */
export type Where = {
  $and?: Where[];
  $or?: Where[];
  $not?: Where;
} & { [field: string]: Scalar | FieldOperators | Where[] | Where | undefined };

/** The normalised tree the binding converts (attribute_convert.h). */
export type NativeWhere =
  | { op: 'and' | 'or' | 'not'; children: NativeWhere[] }
  | { op: 'eq' | 'ne' | 'in'; field: string; values: Scalar[] }
  | { op: 'range'; field: string; lower?: number; lowerInclusive?: boolean; upper?: number; upperInclusive?: boolean };

const FIELD_OPERATORS = ['$eq', '$ne', '$in', '$gt', '$gte', '$lt', '$lte'];
const LOGICAL = ['$and', '$or', '$not'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkScalar(value: unknown, what: string): Scalar {
  if (typeof value === 'string') return checkText(value, what);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidArgument(`${what} must be a finite number, got ${value}`);
    return value;
  }
  throw invalidArgument(`${what} must be a string, a finite number or a boolean, got ${describe(value)}`);
}

/** The attributes option of add(): a plain object of fields (undefined: none). */
export function checkAttributes(value: unknown): Attributes | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw invalidArgument(`attributes must be a plain object, got ${describe(value)}`);
  const names = Object.keys(value);
  if (names.length > limits.maxAttributeFields) throw invalidArgument(`an item may have at most ${limits.maxAttributeFields} attributes, got ${names.length}`);
  for (const name of names) {
    checkText(name, 'an attribute name');
    const v = value[name];
    const what = `attribute '${name}'`;
    if (Array.isArray(v)) {
      const kinds = new Set(v.map((x) => typeof x));
      for (let i = 0; i < v.length; i++) {
        if (typeof v[i] !== 'string' && typeof v[i] !== 'number') throw invalidArgument(`${what}[${i}] must be a string or a number, got ${describe(v[i])}`);
        checkScalar(v[i], `${what}[${i}]`);
      }
      if (kinds.size > 1) throw invalidArgument(`${what} mixes strings and numbers; an array holds values of one type`);
    } else {
      checkScalar(v, what);
    }
  }
  return value as Attributes;
}

/** `where` as the binding's tree; throws ERR_ARROY_INVALID_ARGUMENT for any shape it does not know. */
export function normalizeWhere(where: unknown, depth = 1): NativeWhere {
  if (depth > limits.maxWhereDepth) throw invalidArgument(`where nests deeper than ${limits.maxWhereDepth} levels`);
  if (!isPlainObject(where)) throw invalidArgument(`where must be a plain object, got ${describe(where)}`);
  const children: NativeWhere[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) throw invalidArgument(`where ${key} must be an array of predicates, got ${describe(value)}`);
      children.push({ op: key === '$and' ? 'and' : 'or', children: value.map((w) => normalizeWhere(w, depth + 1)) });
    } else if (key === '$not') {
      children.push({ op: 'not', children: [normalizeWhere(value, depth + 1)] });
    } else if (key.startsWith('$')) {
      const closest = closestName(key, LOGICAL);
      throw invalidArgument(`where: unknown operator '${key}'${closest ? `; did you mean '${closest}'?` : ` (at the top of a predicate: ${LOGICAL.join(', ')})`}`);
    } else {
      children.push(...fieldPredicates(checkText(key, 'a where field'), value));
    }
  }
  return children.length === 1 ? children[0] : { op: 'and', children };
}

function fieldPredicates(field: string, value: unknown): NativeWhere[] {
  if (!isPlainObject(value)) {
    if (Array.isArray(value)) throw invalidArgument(`where '${field}': to match any of several values use { $in: [...] }`);
    return [{ op: 'eq', field, values: [checkScalar(value, `where '${field}'`)] }];
  }
  const out: NativeWhere[] = [];
  const range: Extract<NativeWhere, { op: 'range' }> = { op: 'range', field };
  let ranged = false;
  for (const [op, operand] of Object.entries(value)) {
    if (operand === undefined) continue;
    const what = `where '${field}' ${op}`;
    switch (op) {
      case '$eq':
      case '$ne':
        out.push({ op: op === '$eq' ? 'eq' : 'ne', field, values: [checkScalar(operand, what)] });
        break;
      case '$in':
        if (!Array.isArray(operand)) throw invalidArgument(`${what} must be an array of values, got ${describe(operand)}`);
        if (operand.length > limits.maxWhereValues) throw invalidArgument(`${what} lists more than ${limits.maxWhereValues} values`);
        out.push({ op: 'in', field, values: operand.map((v, i) => checkScalar(v, `${what}[${i}]`)) });
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        if (typeof operand !== 'number' || !Number.isFinite(operand)) throw invalidArgument(`${what} must be a finite number, got ${describe(operand)}`);
        ranged = true;
        const inclusive = op.endsWith('e');
        if (op.startsWith('$g')) {
          // Of two lower bounds the tighter wins.
          if (range.lower === undefined || operand > range.lower || (operand === range.lower && !inclusive)) [range.lower, range.lowerInclusive] = [operand, inclusive];
        } else if (range.upper === undefined || operand < range.upper || (operand === range.upper && !inclusive)) {
          [range.upper, range.upperInclusive] = [operand, inclusive];
        }
        break;
      }
      default: {
        const closest = closestName(op, FIELD_OPERATORS);
        throw invalidArgument(`where '${field}': unknown operator '${op}'${closest ? `; did you mean '${closest}'?` : `; valid ones are ${FIELD_OPERATORS.join(', ')}`}`);
      }
    }
  }
  if (ranged) out.push(range);
  if (out.length === 0) throw invalidArgument(`where '${field}': an empty operator object matches nothing in particular; give a value or an operator`);
  return out;
}
