// Beta 1 index grids (legacy_index.cpp): the values nl.arange / nl.mgrid make, the arithmetic the
// interpreter does on them, and tensor subscripts that use them. Grid values are Instances of built-in
// classes ("IndexExpr", "IndexPredicate", "MGrid"), so attribute lookup and __getitem__ work unchanged.
#pragma once

#include "trace/legacy.h"

namespace nkic::trace {

// An affine index expression over a grid of shape G: value(g) = c + sum_k coef[k] * g[k].
// Axes of size 1 have coef 0 (the grid position there is always 0).
struct Affine {
  std::vector<int64_t> shape;
  int64_t c = 0;
  std::vector<int64_t> coef;
};

// The Affine of an IndexExpr value, or null (for other values).
const Affine* as_index_expr(const Value& v);
// An IndexExpr, an IndexPredicate (a comparison of them) or an MGrid result: values the interpreter
// hands to index_binary / index_compare and refuses to truth-test.
bool is_index_value(const Value& v);
// a OP b where one side is an index value: affine arithmetic (+, -, * by an int), `&` of predicates.
Value index_binary(Interpreter& in, ast::BinOpKind op, const Value& a, const Value& b, Span s);
// a CMP b where one side is an IndexExpr: an IndexPredicate.
Value index_compare(Interpreter& in, ast::CmpOpKind op, const Value& a, const Value& b, Span s);
// A subscript of a tensor view whose items contain index grids (or one predicate), after `items` was
// split from the index tuple; nullopt-free: returns the grid-shaped view.
bool subscript_has_grid(const std::vector<Value>& items);
Value index_tensor_grid(Interpreter& in, const Value& tensor, const std::vector<Value>& items, Span s);
// The one comparison `e OP 0` of an IndexPredicate (nisa.affine_select's pred); false for other values
// and for predicates joining several comparisons.
bool index_predicate_term(const Value& v, Affine& e, ast::CmpOpKind& op);

}  // namespace nkic::trace
