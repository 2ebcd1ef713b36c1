#include "frontend/ast.h"

namespace nkic::ast {

const char* name_of(BinOpKind k) {
  static const char* const names[] = {"Add",    "Sub",    "Mult",  "MatMult", "Div",    "Mod",     "Pow",
                                      "LShift", "RShift", "BitOr", "BitXor",  "BitAnd", "FloorDiv"};
  return names[static_cast<int>(k)];
}

const char* name_of(UnaryOpKind k) {
  static const char* const names[] = {"Invert", "Not", "UAdd", "USub"};
  return names[static_cast<int>(k)];
}

const char* name_of(BoolOpKind k) { return k == BoolOpKind::And ? "And" : "Or"; }

const char* name_of(CmpOpKind k) {
  static const char* const names[] = {"Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn"};
  return names[static_cast<int>(k)];
}

const char* name_of(ExprKind k) {
  static const char* const names[] = {
#define X(k) #k,
      NKIC_EXPR_KINDS(X)
#undef X
  };
  return names[static_cast<int>(k)];
}

const char* name_of(StmtKind k) {
  if (k == StmtKind::ExprStmt) return "Expr";
  static const char* const names[] = {
#define X(k) #k,
      NKIC_STMT_KINDS(X)
#undef X
  };
  return names[static_cast<int>(k)];
}

Expr* Module::new_expr(ExprKind k, Span s) {
  exprs_.push_back(std::make_unique<Expr>());
  Expr* e = exprs_.back().get();
  e->kind = k;
  e->span = s;
  return e;
}

Stmt* Module::new_stmt(StmtKind k, Span s) {
  stmts_.push_back(std::make_unique<Stmt>());
  Stmt* st = stmts_.back().get();
  st->kind = k;
  st->span = s;
  return st;
}

Arguments* Module::new_arguments() {
  arguments_.push_back(std::make_unique<Arguments>());
  return arguments_.back().get();
}

Arg* Module::new_arg() {
  args_.push_back(std::make_unique<Arg>());
  return args_.back().get();
}

}  // namespace nkic::ast
