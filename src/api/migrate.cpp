// nkic migrate: Beta 1 -> NKI 0.3.0 (legacy-spec.md §8). One pass over the AST of each function collects
// findings and text edits; the edits are then applied from the end of the file so earlier spans stay valid.
// Index grids are resolved syntactically: `g = [OFF +] nl.arange(N)[:, None]` (or `[None, :]`) in the same
// function makes `t[E + g, ...]` the slice `E + OFF:E + OFF + N`, and `mask=(g < B)` clamps that slice to B.
#include "api/migrate.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "frontend/parser.h"

namespace nkic::api {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

struct Grid {
  int axis = 0, ndim = 2;
  std::string offset;  // "" for none
  std::string size;
  const Stmt* def = nullptr;
};

struct Edit {
  size_t begin, end;
  std::string text;
};

// The dotted name of an attribute chain (`nl.load` -> "nl.load"), or "" if it is not one.
std::string dotted(const Expr* e) {
  if (!e) return "";
  if (e->kind == ExprKind::Name) return e->str;
  if (e->kind == ExprKind::Attribute) {
    std::string base = dotted(e->a);
    return base.empty() ? "" : base + "." + e->str;
  }
  return "";
}

const ast::Keyword* keyword(const Expr* call, const std::string& name) {
  for (auto& k : call->keywords)
    if (k.arg == name) return &k;
  return nullptr;
}

// ISA calls that return a tile in Beta 1 and take `dst` first in 0.3.0 with the same argument order after it;
// the value is how the result's shape and buffer are derived from the arguments.
const std::map<std::string, std::string>& isa_results() {
  static const std::map<std::string, std::string> m = {{"tensor_tensor", "data1"},    {"tensor_scalar", "data"},
                                                       {"activation", "data"},        {"tensor_copy", "src"},
                                                       {"reciprocal", "data"},        {"nc_matmul", "matmul"},
                                                       {"nc_transpose", "transpose"}, {"tensor_tensor_scan", "data0"}};
  return m;
}
// Beta 1 positional index of the argument the shape comes from (activation(op, data): 1; others: 0).
int shape_arg(const std::string& fn) { return fn == "activation" ? 1 : 0; }
// Its keyword name, when it is passed by keyword.
std::string shape_kw(const std::string& fn) {
  static const std::map<std::string, std::string> m = {{"tensor_tensor", "data1"}, {"tensor_scalar", "data"},
                                                       {"activation", "data"},     {"tensor_copy", "src"},
                                                       {"reciprocal", "data"},     {"nc_matmul", "stationary"},
                                                       {"nc_transpose", "data"},   {"tensor_tensor_scan", "data0"}};
  auto it = m.find(fn);
  return it == m.end() ? "" : it->second;
}

// nl calls that are one ALU op of two operands: written into a subscript as nisa.tensor_tensor / tensor_scalar.
bool alu_binary(const std::string& fn) {
  static const std::set<std::string> s = {"nl.add",    "nl.subtract", "nl.multiply",
                                          "nl.divide", "nl.maximum",  "nl.minimum"};
  return s.count(fn) > 0;
}

const std::map<ast::BinOpKind, std::string>& tile_ops() {
  static const std::map<ast::BinOpKind, std::string> m = {{ast::BinOpKind::Add, "nl.add"},
                                                          {ast::BinOpKind::Sub, "nl.subtract"},
                                                          {ast::BinOpKind::Mult, "nl.multiply"},
                                                          {ast::BinOpKind::Div, "nl.divide"},
                                                          {ast::BinOpKind::BitAnd, "nl.bitwise_and"},
                                                          {ast::BinOpKind::BitOr, "nl.bitwise_or"},
                                                          {ast::BinOpKind::BitXor, "nl.bitwise_xor"}};
  return m;
}

class Migrator {
 public:
  explicit Migrator(SourceRef src) : src_(std::move(src)), text_(src_->text()) {}

  MigrateResult run(const ast::Module& m) {
    for (const Stmt* s : m.body)
      for_each_expr_deep(s, [&](const Expr* e) {
        if (e->kind == ExprKind::Name) names_.insert(e->str);
      });
    for (const Stmt* s : m.body) stmt(s);
    if (has_ncc_import_) {
      if (ncc_manual_ == 0) {
        size_t b = line_start(ncc_import_.line), e = off(ncc_import_.end_line, ncc_import_.end_col);
        if (e < text_.size() && text_[e] == '\n') ++e;
        edits_.push_back({b, e, ""});
        fixed(ncc_import_, "import neuronxcc.nki.compiler", "removed (its allocators became address=)");
      } else {
        note(ncc_import_, "import neuronxcc.nki.compiler",
             "remove: direct allocation becomes nl.ndarray(..., address=...), the decorators have no 0.3.0 form");
      }
    }
    MigrateResult r;
    std::sort(findings_.begin(), findings_.end(), [](const MigrateFinding& a, const MigrateFinding& b) {
      return a.line != b.line ? a.line < b.line : a.col < b.col;
    });
    if (uses_nisa_ && !has_nisa_ && last_import_)  // the rewrite calls nisa: import it
      edits_.push_back({last_import_, last_import_, "\nimport nki.isa as nisa"});
    r.findings = findings_;
    // Comments go at the start of their line (an insertion edit), after the line's edits.
    for (auto& [line, notes] : comments_) {
      size_t at = line_start(line);
      std::string ind = indent_of(line), text;
      for (auto& n : notes) text += ind + "# nkic migrate: " + n + "\n";
      edits_.push_back({at, at, text});
    }
    std::stable_sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    std::string out = text_;
    size_t limit = out.size();
    for (const Edit& e : edits_) {
      if (e.end > limit) continue;  // overlaps a later edit: keep the later one
      out.replace(e.begin, e.end - e.begin, e.text);
      limit = e.begin;
    }
    r.fixed_source = out;
    return r;
  }

 private:
  SourceRef src_;
  const std::string& text_;
  std::vector<MigrateFinding> findings_;
  std::vector<Edit> edits_;
  std::map<uint32_t, std::vector<std::string>> comments_;
  bool uses_nisa_ = false, has_nisa_ = false;  // a fix calls nisa; the file imports it as nisa
  size_t last_import_ = 0;                     // end of the last neuronxcc import
  std::set<std::string> opaque_;               // grids we cannot turn into slices (nl.mgrid, ...)
  // Per function being migrated:
  std::map<std::string, Grid> grids_;
  std::map<std::string, int> grid_uses_, grid_converted_;
  std::set<std::string> tiles_;                   // names bound to tiles
  std::map<std::string, std::string> tile_mask_;  // tile -> the mask text its masked load was clamped by
  std::map<std::string, size_t> blocks_;          // block tensors -> block dims (now nested lists of tiles)
  std::set<std::string> mgrids_;
  std::set<std::string> cols_;  // tiles that are (P, 1) columns (keepdims reductions)                  // `g =
                                // nl.mgrid[...]`: its grids are g.p and g.x
  std::map<std::string, std::string> allocs_;      // `a = ncc.sbuf.alloc(f)`: a -> "sbuf" (a is now f)
  std::map<std::string, const Expr*> mod_allocs_;  // `a = ncc.sbuf.mod_alloc(...)`: its call, inlined per use
  // Per statement:
  std::map<const Expr*, std::string> clamped_;  // nl calls whose mask was dropped (their operand was clamped)
  std::set<const Expr*> done_;                  // expressions a rewrite converted (not flagged)
  std::vector<std::string> pre_;                // hoisted statements to insert before the current one
  std::string hoist_base_ = "tmp";              // fresh names for hoisted tiles start with this
  // Whole file:
  std::set<std::string> names_;  // every identifier, so fresh names do not collide
  Span ncc_import_{};            // `import neuronxcc.nki.compiler as ncc` (removed when every ncc use is fixed)
  bool has_ncc_import_ = false;
  int ncc_manual_ = 0;

  size_t line_start(uint32_t line) const { return static_cast<size_t>(src_->line(line).data() - text_.data()); }
  size_t off(uint32_t line, uint32_t col) const { return line_start(line) + col; }
  std::string txt(const Expr* e) const {
    size_t b = off(e->span.line, e->span.col), en = off(e->span.end_line, e->span.end_col);
    return text_.substr(b, en - b);
  }
  std::string indent_of(uint32_t line) const {
    std::string_view l = src_->line(line);
    return std::string(l.substr(0, l.find_first_not_of(" \t")));
  }
  void replace(Span s, std::string text) {
    if (text.find("nisa.") != std::string::npos) uses_nisa_ = true;
    edits_.push_back({off(s.line, s.col), off(s.end_line, s.end_col), std::move(text)});
  }
  void fixed(Span s, std::string construct, std::string replacement) {
    findings_.push_back({s.line, s.col + 1, std::move(construct), std::move(replacement), true});
  }
  void note(Span s, std::string construct, std::string replacement, uint32_t comment_line = 0) {
    findings_.push_back({s.line, s.col + 1, construct, replacement, false});
    comments_[comment_line ? comment_line : s.line].push_back(construct + " -> " + replacement);
  }

  // ------------------------------------------------------------------ statements

  void body(const std::vector<Stmt*>& b) {
    for (const Stmt* s : b) stmt(s);
  }

  void stmt(const Stmt* s) {
    switch (s->kind) {
      case StmtKind::Import:
      case StmtKind::ImportFrom: return import(s);
      case StmtKind::FunctionDef: return function(s);
      case StmtKind::For:
      case StmtKind::While:
      case StmtKind::If:
        scan(s->iter ? s->iter : s->test, s);
        body(s->body);
        body(s->orelse);
        return;
      case StmtKind::With:
      case StmtKind::Try:
        body(s->body);
        for (auto& h : s->handlers) body(h.body);
        body(s->orelse);
        body(s->finalbody);
        return;
      case StmtKind::ClassDef: return body(s->body);
      default: break;
    }
    // A rewrite that gives up must not keep the grid uses, findings or edits it made.
    auto counted = grid_converted_;
    auto tiles = tiles_;
    size_t nf = findings_.size(), ne = edits_.size();
    pre_.clear();
    hoist_base_ = s->kind == StmtKind::Assign && s->targets.size() == 1 && s->targets[0]->kind == ExprKind::Name
                      ? s->targets[0]->str
                      : "tmp";
    if ((s->kind == StmtKind::Assign && assign(s)) || (s->kind == StmtKind::AugAssign && aug_assign(s)) ||
        (s->kind == StmtKind::ExprStmt && s->value->kind == ExprKind::Call && expr_call(s)))
      return;
    grid_converted_ = counted;
    tiles_ = tiles;
    findings_.resize(nf);
    edits_.resize(ne);
    pre_.clear();
    generic(s);
    scan_stmt(s);
  }

  // Any other statement: its expressions rendered (grid and block subscripts, hoisted calls).
  void generic(const Stmt* s) {
    std::vector<std::pair<const Expr*, std::string>> parts;
    auto add = [&](const Expr* e) {
      if (!e) return;
      std::string r = render(e);
      if (r != txt(e)) parts.push_back({e, r});
    };
    for (const Expr* t : s->targets) add(t);
    add(s->target);
    add(s->value);
    if (s->kind == StmtKind::Assign && s->targets.size() == 1 && s->targets[0]->kind == ExprKind::Name &&
        tileish(s->value))
      tiles_.insert(s->targets[0]->str);
    if (parts.empty() && pre_.empty()) return;
    replace(s->span, hoisted(s) + splice_text(txt_stmt(s), off(s->span.line, s->span.col), parts));
  }

  // The hoisted statements of the current statement, each followed by a newline and the statement's indent.
  std::string hoisted(const Stmt* s) {
    std::string out, ind = indent_of(s->span.line);
    for (auto& p : pre_) out += p + "\n" + ind;
    pre_.clear();
    return out;
  }

  // `text` (starting at file offset `base`) with the given sub-expressions replaced.
  std::string splice_text(std::string text, size_t base, std::vector<std::pair<const Expr*, std::string>> parts) {
    std::sort(parts.begin(), parts.end(), [&](auto& x, auto& y) {
      return off(x.first->span.line, x.first->span.col) > off(y.first->span.line, y.first->span.col);
    });
    for (auto& [e, r] : parts) {
      size_t b = off(e->span.line, e->span.col) - base, en = off(e->span.end_line, e->span.end_col) - base;
      text.replace(b, en - b, r);
    }
    return text;
  }

  void import(const Stmt* s) {
    for (auto& a : s->names)
      if (a.asname == "nisa" || (a.name == "isa" && a.asname.empty())) has_nisa_ = true;
    if (s->module.rfind("neuronxcc", 0) == 0 ||
        std::any_of(s->names.begin(), s->names.end(), [](auto& a) { return a.name.rfind("neuronxcc", 0) == 0; }))
      last_import_ = off(s->span.end_line, s->span.end_col);
    if (s->kind == StmtKind::ImportFrom) {
      if (s->module == "neuronxcc" && s->names.size() == 1 && s->names[0].name == "nki") {
        std::string as = s->names[0].asname.empty() || s->names[0].asname == "nki" ? "" : " as " + s->names[0].asname;
        replace(s->span, "import nki" + as);
        fixed(s->span, "from neuronxcc import nki", "import nki");
      } else if (s->module.rfind("neuronxcc.nki", 0) == 0) {
        std::string mod = "nki" + s->module.substr(13);
        if (mod == "nki.compiler")
          return note(s->span, "from neuronxcc.nki.compiler import ...",
                      "no 0.3.0 counterpart (nki.compiler is not ncc)");
        std::string t = txt_stmt(s);
        size_t at = t.find(s->module);
        replace(s->span, t.substr(0, at) + mod + t.substr(at + s->module.size()));
        fixed(s->span, "from " + s->module + " import ...", "from " + mod + " import ...");
      }
      return;
    }
    for (auto& a : s->names) {
      if (a.name.rfind("neuronxcc", 0) != 0) continue;
      if (a.name == "neuronxcc.nki.compiler") {
        if (s->names.size() == 1) {  // decided at the end: removed when every ncc use was rewritten
          has_ncc_import_ = true;
          ncc_import_ = s->span;
        } else {
          note(a.span, "import neuronxcc.nki.compiler",
               "remove: direct allocation becomes nl.ndarray(..., address=...), the decorators have no 0.3.0 form");
        }
        continue;
      }
      std::string mod = a.name.rfind("neuronxcc.nki", 0) == 0 ? "nki" + a.name.substr(13) : "nki";
      replace(a.span, mod + (a.asname.empty() ? "" : " as " + a.asname));
      fixed(a.span, "import " + a.name, "import " + mod);
    }
  }
  std::string txt_stmt(const Stmt* s) const {
    size_t b = off(s->span.line, s->span.col), en = off(s->span.end_line, s->span.end_col);
    return text_.substr(b, en - b);
  }

  void function(const Stmt* s) {
    for (const Expr* d : s->decorators) decorator(d);
    auto saved_grids = grids_;
    auto saved_tiles = tiles_;
    auto saved_masks = tile_mask_;
    auto saved_blocks = blocks_;
    auto saved_mgrids = mgrids_;
    auto saved_allocs = allocs_;
    auto saved_mods = mod_allocs_;
    std::map<std::string, int> saved_uses = grid_uses_, saved_conv = grid_converted_;
    grid_uses_.clear();
    grid_converted_.clear();
    count_names(s->body);
    body(s->body);
    // A grid whose every use became a slice is dead: its definition goes.
    std::set<const Stmt*> seen;
    for (auto& [full, g] : grids_) {
      if (!g.def || saved_grids.count(full) || !seen.insert(g.def).second) continue;
      std::string name = full.substr(0, full.find('.'));
      if (grid_converted_[name] == grid_uses_[name]) {
        size_t b = line_start(g.def->span.line), e = off(g.def->span.end_line, g.def->span.end_col);
        if (e < text_.size() && text_[e] == '\n') ++e;
        edits_.push_back({b, e, ""});
        fixed(g.def->span, "index grid '" + name + "'", "slices (definition removed)");
      } else {
        note(g.def->span, "index grid '" + name + "' (nl.arange)", "slices or nl.ds(start, size)");
      }
    }
    grids_ = saved_grids;
    tiles_ = saved_tiles;
    tile_mask_ = saved_masks;
    blocks_ = saved_blocks;
    mgrids_ = saved_mgrids;
    allocs_ = saved_allocs;
    mod_allocs_ = saved_mods;
    grid_uses_ = saved_uses;
    grid_converted_ = saved_conv;
  }

  void count_names(const std::vector<Stmt*>& b) {
    for (const Stmt* s : b) {
      for_each_expr(s, [&](const Expr* e) {
        if (e->kind == ExprKind::Name && e->ctx == ast::ExprContext::Load) ++grid_uses_[e->str];
      });
      count_names(s->body);
      count_names(s->orelse);
    }
  }

  void decorator(const Expr* d) {
    std::string n = dotted(d->kind == ExprKind::Call ? d->a : d);
    if (n == "nki.jit" && d->kind == ExprKind::Call && (!d->elts.empty() || !d->keywords.empty())) {
      replace(d->span, "nki.jit");
      fixed(d->span, "nki.jit(" + txt_args(d) + ")", "@nki.jit (mode ignored; NEURON_PLATFORM_TARGET_OVERRIDE)");
    } else if (n == "nki.baremetal") {
      replace(d->span, "nki.jit");
      fixed(d->span, "@nki.baremetal", "@nki.jit (run with nki.simulate(kernel)(*args))");
    } else if (n == "nki.benchmark" || n == "nki.profile") {
      note(d->span, "@" + n, "removed: @nki.jit, time with the profiler (nkic.profile)");
    } else if (n.rfind("ncc.", 0) == 0) {
      ++ncc_manual_;
      note(d->span, "@" + n, "removed in 0.3.0");
    }
  }
  std::string txt_args(const Expr* call) const {
    std::string t = txt(call);
    size_t p = t.find('(');
    return p == std::string::npos ? "" : t.substr(p + 1, t.size() - p - 2);
  }

  // ------------------------------------------------------------------ grids and masks

  // `nl.arange(N)[:, None]`, `[None, :]`: axis and rank; `OFF + <that>`.
  bool grid_def(const Expr* e, Grid& g) {
    if (e->kind == ExprKind::BinOp && e->binop == ast::BinOpKind::Add) {
      if (grid_def(e->b, g) && g.offset.empty()) {
        g.offset = txt(e->a);
        return true;
      }
      return false;
    }
    if (e->kind != ExprKind::Subscript || e->a->kind != ExprKind::Call || dotted(e->a->a) != "nl.arange") return false;
    const Expr* call = e->a;
    if (call->elts.size() == 1)
      g.size = txt(call->elts[0]);
    else if (call->elts.size() == 2)
      g.offset = txt(call->elts[0]), g.size = "(" + txt(call->elts[1]) + ") - (" + txt(call->elts[0]) + ")";
    else
      return false;
    const Expr* idx = e->b;
    if (idx->kind != ExprKind::Tuple) return false;
    int axis = -1;
    for (size_t i = 0; i < idx->elts.size(); ++i) {
      const Expr* x = idx->elts[i];
      if (x->kind == ExprKind::Slice && !x->a && !x->b && !x->c) {
        if (axis >= 0) return false;
        axis = static_cast<int>(i);
      } else if (!(x->kind == ExprKind::Constant && x->ckind == ast::ConstKind::None)) {
        return false;
      }
    }
    g.axis = axis;
    g.ndim = static_cast<int>(idx->elts.size());
    return axis >= 0;
  }

  // mask= as per-grid upper bounds (`g < B` joined by `&`); false if it has any other form.
  bool mask_bounds(const Expr* m, std::map<std::string, std::string>& bounds) {
    if (m->kind == ExprKind::BinOp && m->binop == ast::BinOpKind::BitAnd)
      return mask_bounds(m->a, bounds) && mask_bounds(m->b, bounds);
    if (m->kind == ExprKind::Compare && m->cmpops.size() == 1 && m->cmpops[0] == ast::CmpOpKind::Lt &&
        m->a->kind == ExprKind::Name && grids_.count(m->a->str) && !refs_grid(m->elts[0])) {
      bounds[m->a->str] = txt(m->elts[0]);
      ++grid_converted_[m->a->str];
      return true;
    }
    return false;
  }

  bool refs_grid(const Expr* e) {
    bool found = false;
    visit(e, [&](const Expr* x) {
      if (x->kind == ExprKind::Name && (grids_.count(x->str) || opaque_.count(x->str) || mgrids_.count(x->str)))
        found = true;
      if (x->kind == ExprKind::Call && dotted(x->a) == "nl.arange") found = true;
      if (x->kind == ExprKind::Attribute && dotted(x) == "nl.mgrid") found = true;
    });
    return found;
  }

  // A grid term: a grid name, or an inline `[OFF +] nl.arange(N)[:, None]`; `name` is "" for an inline one.
  bool grid_term(const Expr* e, Grid& g, std::string& name) {
    if (e->kind == ExprKind::Name && grids_.count(e->str)) {
      g = grids_.at(e->str), name = e->str;
      return true;
    }
    if (e->kind == ExprKind::Attribute && grids_.count(dotted(e))) {
      g = grids_.at(dotted(e)), name = dotted(e);
      return true;
    }
    name.clear();
    return e->kind == ExprKind::Subscript && grid_def(e, g);
  }

  // One index `E + g` / `g` / `g + E` as a slice; "" if not a plain grid index.
  std::string grid_index(const Expr* e, size_t pos, size_t n, const std::map<std::string, std::string>& bounds) {
    Grid g;
    std::string gname, extra;
    if (grid_term(e, g, gname)) {
    } else if (e->kind == ExprKind::BinOp && e->binop == ast::BinOpKind::Add) {
      if (!refs_grid(e->a) && grid_term(e->b, g, gname))
        extra = render(e->a);
      else if (!refs_grid(e->b) && grid_term(e->a, g, gname))
        extra = render(e->b);
      else
        return "";
    } else {
      return "";
    }
    if (g.axis != static_cast<int>(pos) || g.ndim != static_cast<int>(n)) return "";
    std::string lo = extra.empty() ? g.offset : g.offset.empty() ? extra : extra + " + " + g.offset;
    if (lo.empty()) lo = "0";
    std::string hi = (lo == "0" ? "" : lo + " + ") + g.size;
    if (auto b = bounds.find(gname); !gname.empty() && b != bounds.end()) {
      if (extra.empty())
        hi = "min(" + hi + ", " + b->second + ")";
      else
        hi = lo + " + min(" + g.size + ", " + b->second + (g.offset.empty() ? "" : " - (" + g.offset + ")") + ")";
    }
    if (!gname.empty()) ++grid_converted_[gname.substr(0, gname.find('.'))];
    return lo + ":" + hi;
  }

  bool is_block_sub(const Expr* e) const {
    return e->kind == ExprKind::Subscript && e->a->kind == ExprKind::Name && blocks_.count(e->a->str);
  }

  // `g = nl.mgrid[a:b, c:d]` (no steps): the grids g.p (axis 0) and g.x (axis 1).
  bool mgrid_def(const std::string& name, const Expr* v, const Stmt* s) {
    if (v->kind != ExprKind::Subscript || dotted(v->a) != "nl.mgrid" || v->b->kind != ExprKind::Tuple ||
        v->b->elts.size() != 2)
      return false;
    static const char* attrs[] = {"p", "x"};
    std::vector<Grid> gs;
    for (size_t i = 0; i < 2; ++i) {
      const Expr* sl = v->b->elts[i];
      if (sl->kind != ExprKind::Slice || !sl->b || sl->c) return false;
      Grid g;
      g.axis = static_cast<int>(i), g.ndim = 2, g.def = s;
      std::string lo = sl->a ? txt(sl->a) : "0";
      g.offset = lo == "0" ? "" : lo;
      g.size = g.offset.empty() ? txt(sl->b) : "(" + txt(sl->b) + ") - (" + lo + ")";
      gs.push_back(g);
    }
    for (size_t i = 0; i < 2; ++i) grids_[name + "." + attrs[i]] = gs[i];
    mgrids_.insert(name);
    done_.insert(v);
    return true;
  }

  // `t[i, j]` with grid indices as `t[a:b, c:d]`, a block tensor's `t[k, i, j]` as `t[k][i, j]`; "" if not
  // convertible.
  std::string subscript(const Expr* e, const std::map<std::string, std::string>& bounds) {
    bool block = e->kind == ExprKind::Subscript && is_block_sub(e);
    if (!refs_grid(e) && !block) return render(e);
    if (e->kind != ExprKind::Subscript || refs_grid(e->a)) return "";
    std::vector<const Expr*> idx;
    if (e->b->kind == ExprKind::Tuple)
      idx.assign(e->b->elts.begin(), e->b->elts.end());
    else
      idx.push_back(e->b);
    std::string out = render(e->a);
    size_t nb = block ? blocks_.at(e->a->str) : 0;
    if (idx.size() < nb) return "";
    for (size_t i = 0; i < nb; ++i) {
      if (refs_grid(idx[i])) return "";
      out += "[" + render(idx[i]) + "]";
    }
    if (idx.size() == nb) return out;
    out += "[";
    for (size_t i = nb; i < idx.size(); ++i) {
      std::string s = refs_grid(idx[i]) ? grid_index(idx[i], i - nb, idx.size() - nb, bounds) : render(idx[i]);
      if (s.empty()) return "";
      out += (i > nb ? ", " : "") + s;
    }
    return out + "]";
  }

  // An expression that is a tile (syntactically): a tile name, a subscript of one, an nl/nisa call.
  bool tileish(const Expr* e) const {
    if (!e) return false;
    if (e->kind == ExprKind::Name) return tiles_.count(e->str) || blocks_.count(e->str);
    if (e->kind == ExprKind::Subscript) return tileish(e->a);
    if (e->kind == ExprKind::Call) {
      std::string fn = dotted(e->a);
      return (fn.rfind("nl.", 0) == 0 && fn != "nl.arange" && fn != "nl.par_dim") || fn.rfind("nisa.", 0) == 0;
    }
    return false;
  }

  std::string fresh(const std::string& base) {
    std::string n = base + "_src";
    for (int i = 2; names_.count(n); ++i) n = base + "_src" + std::to_string(i);
    names_.insert(n);
    return n;
  }

  // The text of `e` with the rewrites inside it applied: grid and block subscripts, tile-returning calls
  // hoisted into declared tiles (pre_), masks dropped where an operand is already clamped by them.
  std::string render(const Expr* e) {
    if (!e) return "";
    if (e->kind == ExprKind::Subscript && (refs_grid(e) || is_block_sub(e))) {
      std::string r = subscript(e, {});
      if (!r.empty()) return r;
    }
    if (e->kind == ExprKind::Attribute && e->str == "dtype" && e->a->kind == ExprKind::Name &&
        blocks_.count(e->a->str)) {  // a block tensor's dtype: that of its first tile
      std::string r = e->a->str;
      for (size_t i = 0; i < blocks_.at(e->a->str); ++i) r += "[0]";
      return r + ".dtype";
    }
    if (e->kind == ExprKind::Call) {
      std::string fn = dotted(e->a);
      if (fn == "nl.load" || sbuf_copy(e) || (fn.rfind("nisa.", 0) == 0 && isa_results().count(fn.substr(5)))) {
        std::vector<std::string> lines;
        std::string name = fresh(hoist_base_), mask;
        if (tile_call(e, name, lines, mask) && mask.empty()) {
          for (auto& l : lines) pre_.push_back(l);
          tiles_.insert(name);
          return name;
        }
      }
      if (fn.rfind("nl.", 0) == 0) {
        std::map<const Expr*, std::string> done;
        for (const Expr* a : e->elts) done[a] = render(a);
        // 0.3.0 nl calls do not broadcast between tiles: a (P, 1) column operand is broadcast explicitly.
        if (alu_binary(fn) && e->elts.size() == 2) {
          for (int i = 0; i < 2; ++i) {
            const Expr* c = e->elts[i];
            const Expr* o = e->elts[1 - i];
            if (is_col(c) && !is_col(o) && tileish(o) && (o->kind == ExprKind::Name || o->kind == ExprKind::Subscript))
              done[c] = "nl.broadcast_to(" + done[c] + ", shape=" + done[o] + ".shape)";
          }
        }
        if (keyword(e, "mask")) return masked_call(e, done);
        return splice(e, done);
      }
    }
    return splice(e, {});
  }

  // `nl.copy(x[, dtype=])`: rewritten into an SBUF tile (x may be in PSUM).
  bool sbuf_copy(const Expr* e) const {
    if (e->kind != ExprKind::Call || dotted(e->a) != "nl.copy" || e->elts.size() != 1) return false;
    for (auto& k : e->keywords)
      if (k.arg != "dtype") return false;
    return true;
  }

  // A (P, 1) column: a reduction with keepdims=True, or an nl call of columns and scalars only.
  bool is_col(const Expr* e) const {
    if (e->kind == ExprKind::Name) return cols_.count(e->str) > 0;
    if (e->kind != ExprKind::Call) return false;
    std::string fn = dotted(e->a);
    static const std::set<std::string> reductions = {"nl.max", "nl.min", "nl.sum", "nl.mean", "nl.prod", "nl.var"};
    if (reductions.count(fn)) {
      const ast::Keyword* k = keyword(e, "keepdims");
      return k && txt(k->value) == "True";
    }
    if (fn.rfind("nl.", 0) != 0) return false;
    bool any = false;
    for (const Expr* a : e->elts) {
      if (is_col(a))
        any = true;
      else if (tileish(a))
        return false;
    }
    return any;
  }

  // txt(e) with its direct children rendered (`done` gives the text of children rendered already).
  std::string splice(const Expr* e, const std::map<const Expr*, std::string>& done) {
    std::vector<const Expr*> kids = {e->a, e->b, e->c};
    kids.insert(kids.end(), e->elts.begin(), e->elts.end());
    kids.insert(kids.end(), e->keys.begin(), e->keys.end());
    for (auto& k : e->keywords) kids.push_back(k.value);
    std::vector<std::pair<const Expr*, std::string>> parts;
    for (const Expr* k : kids) {
      if (!k) continue;
      auto it = done.find(k);
      std::string r = it != done.end() ? it->second : render(k);
      if (r != txt(k)) parts.push_back({k, r});
    }
    return splice_text(txt(e), off(e->span.line, e->span.col), parts);
  }

  bool clamped_by(const Expr* e, const std::string& mask) const {
    if (e->kind == ExprKind::Name) {
      auto it = tile_mask_.find(e->str);
      return it != tile_mask_.end() && it->second == mask;
    }
    auto it = clamped_.find(e);
    return it != clamped_.end() && it->second == mask;
  }

  // An nl call with mask=M: when an operand is a tile clamped by M (loaded under M, or computed from one),
  // the mask goes and the other tile operands are sliced to the clamped rows; else the call is kept.
  std::string masked_call(const Expr* e, std::map<const Expr*, std::string> done) {
    const ast::Keyword* k = keyword(e, "mask");
    std::string m = txt(k->value);
    bool any = false;
    for (const Expr* a : e->elts) any = any || clamped_by(a, m);
    for (auto& kw : e->keywords)
      if (kw.arg != "mask") done[kw.value] = render(kw.value);
    std::map<std::string, std::string> bounds;
    auto counted = grid_converted_;
    if (!any || !mask_bounds(k->value, bounds) || bounds.size() != 1 || !grids_.count(bounds.begin()->first)) {
      grid_converted_ = counted;
      return splice(e, done);
    }
    const Grid& g = grids_.at(bounds.begin()->first);
    std::string rows =
        "min(" + g.size + ", " + bounds.begin()->second + (g.offset.empty() ? "" : " - (" + g.offset + ")") + ")";
    std::string cut = "[";
    for (int i = 0; i < g.axis; ++i) cut += ":, ";
    cut += "0:" + rows + "]";
    std::string out = dotted(e->a) + "(";
    bool first = true;
    for (const Expr* a : e->elts) {
      out += (first ? "" : ", ") + done[a] + (tileish(a) && !clamped_by(a, m) ? cut : "");
      first = false;
    }
    for (auto& kw : e->keywords) {
      if (kw.arg == "mask") continue;
      std::string v = done[kw.value] + (tileish(kw.value) && !clamped_by(kw.value, m) ? cut : "");
      out += (first ? "" : ", ") + (kw.arg.empty() ? "**" + v : kw.arg + "=" + v);
      first = false;
    }
    clamped_[e] = m;
    done_.insert(e);
    fixed(k->span, "mask=" + m, "dropped: an operand is the clamped tile, the others sliced to its rows");
    return out + ")";
  }

  // mask= of a call: true (with `bounds`) when absent or convertible.
  bool call_mask(const Expr* call, std::map<std::string, std::string>& bounds, std::string& mask_text) {
    const ast::Keyword* k = keyword(call, "mask");
    if (!k) return true;
    mask_text = txt(k->value);
    return mask_bounds(k->value, bounds);
  }

  // The call's arguments as text, without `mask=` and `dtype=`; `first` is prepended.
  std::string args_without(const Expr* call, const std::string& first, bool drop_dtype) {
    std::string out = first;
    for (const Expr* a : call->elts) out += (out.empty() ? "" : ", ") + render(a);
    for (auto& k : call->keywords) {
      if (k.arg == "mask" || (drop_dtype && k.arg == "dtype")) continue;
      out += (out.empty() ? "" : ", ") + (k.arg.empty() ? "**" + render(k.value) : k.arg + "=" + render(k.value));
    }
    return out;
  }

  // ------------------------------------------------------------------ rewrites

  // `dst = v` for a tile-returning nl.load / nisa call as 0.3.0 lines: a declared tile and the call with
  // dst first. `mask` gets the load's mask (its slices clamped); false if not convertible.
  bool tile_call(const Expr* v, const std::string& dst, std::vector<std::string>& lines, std::string& mask) {
    std::string fn = dotted(v->a);
    if (sbuf_copy(v)) {  // Beta 1 nl.copy always returns an SBUF tile; 0.3.0's keeps the input's buffer
      const ast::Keyword* dt = keyword(v, "dtype");
      std::string a0 = render(v->elts[0]);
      lines.push_back(dst + " = nl.ndarray(" + a0 + ".shape, dtype=" + (dt ? render(dt->value) : a0 + ".dtype") +
                      ", buffer=nl.sbuf)");
      lines.push_back("nisa.tensor_copy(" + dst + ", " + a0 + ")");
      uses_nisa_ = true;
      done_.insert(v);
      fixed(v->span, "nl.copy(...)", "nisa.tensor_copy(dst, ...) into a declared SBUF tile");
      return true;
    }
    if (fn == "nl.load") {
      if (v->elts.size() != 1) return false;
      for (auto& k : v->keywords)
        if (k.arg != "mask" && k.arg != "dtype") return false;
      std::map<std::string, std::string> bounds;
      std::string src = call_mask(v, bounds, mask) ? subscript(v->elts[0], bounds) : "";
      if (src.empty()) return false;
      const ast::Keyword* dt = keyword(v, "dtype");
      std::string dtype = dt ? render(dt->value) : src + ".dtype";
      lines.push_back(dst + " = nl.ndarray(" + src + ".shape, dtype=" + dtype + ", buffer=nl.sbuf)");
      lines.push_back("nisa.dma_copy(dst=" + dst + ", src=" + src + ")");
      uses_nisa_ = true;
      done_.insert(v);
      fixed(v->span, "nl.load(...)", "nisa.dma_copy(dst=<tile>, src=...) into a declared nl.ndarray");
      return true;
    }
    std::string op = fn.rfind("nisa.", 0) == 0 ? fn.substr(5) : "";
    if (!isa_results().count(op) || keyword(v, "mask")) return false;
    const ast::Keyword* dt = keyword(v, "dtype");
    size_t si = static_cast<size_t>(shape_arg(op));
    const Expr* data = v->elts.size() > si ? v->elts[si] : nullptr;
    if (!data)
      if (const ast::Keyword* k = keyword(v, shape_kw(op))) data = k->value;
    if (!data) return false;
    std::string a0 = render(data), shape, dtype, buffer = "nl.sbuf";
    if (op == "nc_matmul") {
      if (v->elts.size() < 2) return false;
      shape = "(" + a0 + ".shape[1], " + render(v->elts[1]) + ".shape[1])";
      dtype = "nl.float32", buffer = "nl.psum";
    } else if (op == "nc_transpose") {
      shape = "(" + a0 + ".shape[1], " + a0 + ".shape[0])";
      dtype = dt ? render(dt->value) : a0 + ".dtype", buffer = "nl.psum";
    } else {
      shape = a0 + ".shape";
      dtype = dt ? render(dt->value) : a0 + ".dtype";
    }
    const ast::Keyword* buf = keyword(v, "buffer");
    if (buf) buffer = render(buf->value);
    std::string args = first_dst(v, dst);
    if (args.empty()) return false;
    lines.push_back(dst + " = nl.ndarray(" + shape + ", dtype=" + dtype + ", buffer=" + buffer + ")");
    lines.push_back(fn + "(" + args + ")");
    uses_nisa_ = true;
    done_.insert(v);
    fixed(v->span, fn + "(...) returning a tile", fn + "(dst, ...) into a declared nl.ndarray");
    return true;
  }
  // The call's arguments with `dst` first, without dtype=/buffer= ("" if it has a mask).
  std::string first_dst(const Expr* call, const std::string& dst) {
    std::string out = dst;
    for (const Expr* a : call->elts) out += ", " + render(a);
    for (auto& k : call->keywords) {
      if (k.arg == "mask") return "";
      if (k.arg == "dtype" || k.arg == "buffer") continue;
      out += ", " + (k.arg.empty() ? "**" + render(k.value) : k.arg + "=" + render(k.value));
    }
    return out;
  }

  // `t = nl.ndarray((B, nl.par_dim(P), F...), dtype, buffer=...)` (also zeros/ones/full): a Python list of
  // B tiles (P, F...) built by a loop; direct allocators become address= per tile.
  bool block_decl(const Stmt* s) {
    const Expr* t = s->targets[0];
    const Expr* v = s->value;
    std::string fn = dotted(v->a);
    static const std::set<std::string> makers = {"nl.ndarray", "nl.zeros", "nl.ones", "nl.full"};
    if (t->kind != ExprKind::Name || !makers.count(fn) || v->elts.empty()) return false;
    const Expr* sh = v->elts[0];
    if (sh->kind != ExprKind::Tuple || sh->elts.size() < 3) return false;
    size_t nb = 0;
    while (nb < sh->elts.size() && !(sh->elts[nb]->kind == ExprKind::Call && dotted(sh->elts[nb]->a) == "nl.par_dim"))
      ++nb;
    if (nb == 0 || nb + 1 >= sh->elts.size()) return false;
    const Expr* pd = sh->elts[nb];
    if (pd->elts.size() != 1) return false;
    std::string P = render(pd->elts[0]), F;
    std::string shape = "(" + P;
    for (size_t i = nb + 1; i < sh->elts.size(); ++i) {
      shape += ", " + render(sh->elts[i]);
      F += (i > nb + 1 ? " * " : "") + render(sh->elts[i]);
    }
    shape += ")";
    size_t dpos = fn == "nl.full" ? 2 : 1;
    const ast::Keyword* dk = keyword(v, "dtype");
    std::string dtype = dk ? render(dk->value) : v->elts.size() > dpos ? render(v->elts[dpos]) : "";
    std::vector<std::string> loops;
    for (size_t k = 0; k < nb; ++k) loops.push_back(fresh_loop());
    std::string i = loops[0];
    std::string args = shape;
    for (size_t k = 1; k < v->elts.size(); ++k) args += ", " + render(v->elts[k]);
    std::string address;
    for (auto& k : v->keywords) {
      if (k.arg != "buffer") {
        args += ", " + (k.arg.empty() ? "**" : k.arg + "=") + render(k.value);
        continue;
      }
      std::string buffer;
      if (nb > 1 && !(k.value->kind == ExprKind::Attribute && dotted(k.value).rfind("nl.", 0) == 0)) return false;
      if (!allocator(k.value, i, P,
                     (F.find(' ') == std::string::npos ? F : "(" + F + ")") + " * " + dtype + ".itemsize", buffer,
                     address))
        return false;
      if (!address.empty() && (fn != "nl.ndarray" || dtype.empty())) return false;
      args += ", buffer=" + buffer;
    }
    if (!address.empty()) args += ", address=" + address;
    // t = [] / for b0 in range(B0): t.append([]) / for b1 in range(B1): t[b0].append(tile)
    std::string name = txt(t), ind = indent_of(s->span.line), text = name + " = []", list = name;
    for (size_t k = 0; k < nb; ++k) {
      ind += "    ";
      text += "\n" + ind.substr(4) + "for " + loops[k] + " in range(" + render(sh->elts[k]) + "):\n" + ind + list +
              ".append(" + (k + 1 < nb ? std::string("[])") : fn + "(" + args + "))");
      list += "[" + loops[k] + "]";
    }
    replace(s->span, text);
    fixed(pd->span, "block tensor (B..., nl.par_dim(P), F...)", "nested lists of (P, F...) tiles: t[k] is one tile");
    done_.insert(pd);
    blocks_[name] = nb;
    return true;
  }
  std::string fresh_loop() {
    std::string n = "blk";
    for (int i = 2; names_.count(n); ++i) n = "blk" + std::to_string(i);
    names_.insert(n);
    return n;
  }

  // buffer= of a block declaration: nl buffers kept, ncc allocators as nl.sbuf/psum + address= for tile `i`.
  bool allocator(const Expr* b, const std::string& i, const std::string& P, const std::string& bytes,
                 std::string& buffer, std::string& address) {
    if (b->kind == ExprKind::Name && allocs_.count(b->str)) {
      buffer = "nl.sbuf";
      address = b->str + "((" + i + ",), " + P + ", " + bytes + ")";
      done_.insert(b);
      return true;
    }
    if (b->kind == ExprKind::Name && mod_allocs_.count(b->str)) b = mod_allocs_.at(b->str);
    std::string fn = b->kind == ExprKind::Call ? dotted(b->a) : "";
    if (fn == "ncc.sbuf.auto_alloc" || fn == "ncc.psum.auto_alloc") {
      buffer = fn == "ncc.sbuf.auto_alloc" ? "nl.sbuf" : "nl.psum";
    } else if (fn == "ncc.sbuf.alloc" && b->elts.size() == 1 && b->keywords.empty()) {
      buffer = "nl.sbuf";
      address = "(" + render(b->elts[0]) + ")((" + i + ",), " + P + ", " + bytes + ")";
    } else if (fn == "ncc.sbuf.mod_alloc" && b->elts.empty()) {
      std::string base = "0", part = "0", nfree, npar;
      for (auto& k : b->keywords) {
        const Expr* n = k.value;
        auto one = [&](std::string& out) {  // `(n,)`: one block dimension
          if (n->kind != ExprKind::Tuple || n->elts.size() > 1) return false;
          if (n->elts.size() == 1) out = render(n->elts[0]);
          return true;
        };
        if (k.arg == "base_addr" || k.arg == "byte_addr")
          base = render(n);
        else if (k.arg == "base_partition")
          part = render(n);
        else if (k.arg == "num_free_tiles") {
          if (!one(nfree)) return false;
        } else if (k.arg == "num_par_tiles") {
          if (!one(npar)) return false;
        } else
          return false;
      }
      buffer = "nl.sbuf";
      std::string p = npar.empty() ? part : part + " + (" + i + " % " + npar + ") * " + P;
      std::string a = nfree.empty() ? base : base + " + (" + i + " % " + nfree + ") * " + bytes;
      address = "(" + p + ", " + a + ")";
    } else if (fn == "ncc.psum.mod_alloc" && b->elts.empty()) {
      std::string bank = "0", nb;
      for (auto& k : b->keywords) {
        if (k.arg == "base_bank")
          bank = render(k.value);
        else if (k.arg == "num_bank_tiles" && k.value->kind == ExprKind::Tuple && k.value->elts.size() <= 1) {
          if (k.value->elts.size() == 1) nb = render(k.value->elts[0]);
        } else
          return false;
      }
      buffer = "nl.psum";
      address = "(0, (" + bank + (nb.empty() ? "" : " + " + i + " % " + nb) + ") * 2048)";
    } else if (fn.empty() && b->kind != ExprKind::Call) {
      buffer = render(b);  // nl.sbuf, nl.psum, ...
      return true;
    } else {
      return false;
    }
    done_.insert(b);
    return true;
  }

  // `t = ...`: grids, loads, ISA calls that return tiles, operators on tiles, block tensors, allocators,
  // nl calls written into a subscript.
  bool assign(const Stmt* s) {
    if (s->targets.size() != 1) return false;
    const Expr* t = s->targets[0];
    const Expr* v = s->value;
    Grid g;
    if (t->kind == ExprKind::Name && grid_def(v, g) && !refs_grid(v->kind == ExprKind::BinOp ? v->a : nullptr)) {
      g.def = s;
      grids_[t->str] = g;
      return true;
    }
    if (t->kind == ExprKind::Name && mgrid_def(t->str, v, s)) return true;
    if (refs_grid(v) && (t->kind == ExprKind::Name || t->kind == ExprKind::Tuple) &&
        (v->kind != ExprKind::Call || dotted(v->a).rfind("nl.", 0) != 0 || dotted(v->a) == "nl.arange")) {
      // An index grid we do not resolve (nl.mgrid, arithmetic on grids): uses of it stay as they are.
      visit(t, [&](const Expr* x) {
        if (x->kind == ExprKind::Name) opaque_.insert(x->str);
      });
      return false;
    }
    if (t->kind == ExprKind::Name && v->kind == ExprKind::BinOp && tile_ops().count(v->binop) &&
        v->a->kind == ExprKind::Name && v->b->kind == ExprKind::Name && tiles_.count(v->a->str) &&
        tiles_.count(v->b->str)) {
      replace(v->span, tile_ops().at(v->binop) + "(" + txt(v->a) + ", " + txt(v->b) + ")");
      fixed(v->span, "operator on tiles '" + txt(v) + "'", tile_ops().at(v->binop) + "(...)");
      tiles_.insert(t->str);
      return true;
    }
    if (v->kind != ExprKind::Call) return false;
    std::string fn = dotted(v->a);
    std::string ind = indent_of(s->span.line);
    if (t->kind == ExprKind::Name && (fn == "ncc.sbuf.alloc") && v->elts.size() == 1 && v->keywords.empty()) {
      replace(v->span, render(v->elts[0]));
      fixed(v->span, "ncc.sbuf.alloc(func)", "func itself, called per tile for address=");
      done_.insert(v);
      allocs_[t->str] = "sbuf";
      return true;
    }
    if (t->kind == ExprKind::Name && (fn == "ncc.sbuf.mod_alloc" || fn == "ncc.psum.mod_alloc")) {
      size_t b = line_start(s->span.line), e = off(s->span.end_line, s->span.end_col);
      if (e < text_.size() && text_[e] == '\n') ++e;
      edits_.push_back({b, e, ""});
      fixed(v->span, fn + "(...) bound to '" + t->str + "'", "address= on each tile declared with it");
      done_.insert(v);
      mod_allocs_[t->str] = v;
      return true;
    }
    if (block_decl(s)) return true;
    if (fn == "nl.load" || sbuf_copy(v) || (fn.rfind("nisa.", 0) == 0 && isa_results().count(fn.substr(5)))) {
      if (t->kind == ExprKind::Name) {
        std::vector<std::string> lines;
        std::string mask;
        if (!tile_call(v, txt(t), lines, mask)) return false;
        std::string text = hoisted(s);
        for (size_t i = 0; i < lines.size(); ++i) text += (i ? "\n" + ind : "") + lines[i];
        replace(s->span, text);
        tiles_.insert(t->str);
        if (!mask.empty()) tile_mask_[t->str] = mask;
        return true;
      }
      if (sbuf_copy(v) && v->keywords.empty()) {
        std::string d = subscript(t, {});
        if (d.empty()) return false;
        replace(s->span, hoisted(s) + "nisa.tensor_copy(" + d + ", " + render(v->elts[0]) + ")");
        uses_nisa_ = true;
        done_.insert(v);
        fixed(v->span, "t[...] = nl.copy(...)", "nisa.tensor_copy(dst=t[...], ...)");
        return true;
      }
      if (fn != "nl.load" || v->elts.size() != 1 || !v->keywords.empty()) return false;
      std::string d = subscript(t, {}), src = subscript(v->elts[0], {});
      if (d.empty() || src.empty()) return false;
      replace(s->span, hoisted(s) + "nisa.dma_copy(dst=" + d + ", src=" + src + ")");
      uses_nisa_ = true;
      done_.insert(v);
      fixed(v->span, "nl.load(...)", "nisa.dma_copy(dst=..., src=...)");
      return true;
    }
    if (fn.rfind("nl.", 0) == 0 && t->kind == ExprKind::Name) {
      // 0.3.0 keeps nl's tile-returning calls; mask= goes when an operand is already clamped by it.
      std::string r = render(v);
      if (keyword(v, "mask") && !clamped_.count(v)) return false;
      if (clamped_.count(v))
        tile_mask_[t->str] = clamped_[v];
      else
        tile_mask_.erase(t->str);
      if (is_col(v))
        cols_.insert(t->str);
      else
        cols_.erase(t->str);
      tiles_.insert(t->str);
      if (r != txt(v) || !pre_.empty())
        replace(s->span, hoisted(s) + splice_text(txt_stmt(s), off(s->span.line, s->span.col), {{v, r}}));
      return true;
    }
    if (fn.rfind("nl.", 0) == 0 && t->kind == ExprKind::Subscript && tileish(t) && !keyword(v, "mask")) {
      // 0.3.0 writes tiles only through ISA calls with dst=.
      std::string d = subscript(t, {});
      if (d.empty()) return false;
      std::string text;
      bool plain = v->elts.size() == 2 && v->keywords.empty() && alu_binary(fn);
      if (plain && tileish(v->elts[0]) && tileish(v->elts[1]))
        text = "nisa.tensor_tensor(" + d + ", " + render(v->elts[0]) + ", " + render(v->elts[1]) + ", " + fn + ")";
      else if (fn == "nl.copy" && v->elts.size() == 1 && v->keywords.empty())
        text = "nisa.tensor_copy(" + d + ", " + render(v->elts[0]) + ")";
      else if (plain && tileish(v->elts[0]) && v->elts[1]->kind == ExprKind::Constant)
        text = "nisa.tensor_scalar(" + d + ", " + render(v->elts[0]) + ", " + fn + ", " + render(v->elts[1]) + ")";
      else
        text = "nisa.tensor_copy(" + d + ", " + render(v) + ")";
      replace(s->span, hoisted(s) + text);
      uses_nisa_ = true;
      fixed(v->span, "t[...] = " + fn + "(...)", text.substr(0, text.find('(')) + "(dst=t[...], ...)");
      return true;
    }
    return false;
  }

  // `acc += nl.matmul(x, y, transpose_x=True)` / `acc += nisa.nc_matmul(a, b)`: a PSUM accumulation.
  bool aug_assign(const Stmt* s) {
    const Expr* v = s->value;
    static const std::map<ast::BinOpKind, std::string> ops = {
        {ast::BinOpKind::Add, "nl.add"}, {ast::BinOpKind::Sub, "nl.subtract"}, {ast::BinOpKind::Mult, "nl.multiply"}};
    if (ops.count(s->op) && tileish(s->target) && tileish(v) && v->kind != ExprKind::Call) {
      std::string d = subscript(s->target, {}), x = render(v);
      if (d.empty()) return false;
      replace(s->span, hoisted(s) + "nisa.tensor_tensor(" + d + ", " + d + ", " + x + ", " + ops.at(s->op) + ")");
      uses_nisa_ = true;
      fixed(s->span, "t op= x on tiles", "nisa.tensor_tensor(t, t, x, op)");
      return true;
    }
    if (s->op != ast::BinOpKind::Add || v->kind != ExprKind::Call || v->elts.size() != 2) return false;
    std::string fn = dotted(v->a);
    bool ok = fn == "nisa.nc_matmul" ? v->keywords.empty()
              : fn == "nl.matmul"    ? v->keywords.size() == 1 && v->keywords[0].arg == "transpose_x" &&
                                        txt(v->keywords[0].value) == "True"
                                  : false;
    if (!ok) return false;
    std::string x = render(v->elts[0]), y = render(v->elts[1]);
    std::string acc = subscript(s->target, {});
    if (acc.empty()) return false;
    replace(s->span, hoisted(s) + "nisa.nc_matmul(" + acc + ", " + x + ", " + y + ", accumulate=True)");
    uses_nisa_ = true;
    fixed(s->span, txt(s->target) + " += " + fn + "(...)", "nisa.nc_matmul(acc, a, b, accumulate=True)");
    return true;
  }

  // Statement calls: nl.store, nki.simulate_kernel.
  bool expr_call(const Stmt* s) {
    const Expr* v = s->value;
    std::string fn = dotted(v->a);
    if (fn == "nl.store") {
      const Expr* dst = v->elts.empty() ? nullptr : v->elts[0];
      const ast::Keyword* kv = keyword(v, "value");
      const Expr* val = kv ? kv->value : v->elts.size() > 1 ? v->elts[1] : nullptr;
      if (!dst || !val) return false;
      std::map<std::string, std::string> bounds;
      std::string mask;
      std::string d = call_mask(v, bounds, mask) ? subscript(dst, bounds) : "";
      if (d.empty()) return false;
      std::string value = render(val);
      if (!mask.empty() && !clamped_by(val, mask)) return false;
      replace(s->span, hoisted(s) + "nisa.dma_copy(dst=" + d + ", src=" + value + ")");
      uses_nisa_ = true;
      done_.insert(v);
      fixed(v->span, "nl.store(...)", "nisa.dma_copy(dst=..., src=<tile>)");
      scan(val, s);
      return true;
    }
    return false;
  }

  void simulate_kernel(const Expr* v) {
    std::string rest;
    for (size_t i = 1; i < v->elts.size(); ++i) rest += (i > 1 ? ", " : "") + txt(v->elts[i]);
    for (auto& k : v->keywords)
      rest += (rest.empty() ? "" : ", ") + (k.arg.empty() ? "**" + txt(k.value) : k.arg + "=" + txt(k.value));
    replace(v->span, "nki.simulate(" + txt(v->elts[0]) + ")(" + rest + ")");
    fixed(v->span, "nki.simulate_kernel(k, *args)", "nki.simulate(k)(*args)");
  }

  // ------------------------------------------------------------------ what is left: comments

  void scan_stmt(const Stmt* s) {
    for_each_expr(s, [&](const Expr* e) { flag(e, s); });
  }
  void scan(const Expr* e, const Stmt* s) {
    if (e) visit(e, [&](const Expr* x) { flag(x, s); });
  }

  void flag(const Expr* e, const Stmt* s) {
    if (done_.count(e)) return;
    if (e->kind == ExprKind::Call) {
      std::string fn = dotted(e->a);
      static const std::map<std::string, std::string> calls = {
          {"nl.load", "nisa.dma_copy(dst=<declared tile>, src=...)"},
          {"nl.store", "nisa.dma_copy(dst=..., src=<tile>)"},
          {"nl.arange", "slices, nl.ds, or .ap(pattern=[[step, num], ...])"},
          {"nl.par_dim", "P as dim 0: a list of tiles, (P, B, F), or a tile declared in the loop"},
          {"nki.baremetal", "nki.jit with NumPy arguments"},
          {"nki.benchmark", "nkic.profile(kernel, *args).latency_us"},
          {"nki.profile", "nkic.profile(kernel, *args).to_perfetto(path)"},
          {"nisa.iota", "nisa.iota(dst, pattern, offset, channel_multiplier)"},
          {"nisa.affine_select", "nisa.affine_select(dst, pattern, channel_multiplier, ...)"},
          {"nisa.memset", "nisa.memset(dst, value)"},
          {"nisa.nc_stream_shuffle", "nisa.nc_stream_shuffle(dst, src, shuffle_mask)"},
          {"nisa.tensor_copy_dynamic_src", ".ap(..., scalar_offset=, indirect_dim=0)"},
          {"nisa.tensor_copy_dynamic_dst", ".ap(..., scalar_offset=, indirect_dim=0)"},
          {"nl.spmd_dim", "kernel[lnc], lnc in {1, 2}"},
          {"nl.nc", "kernel[lnc], lnc in {1, 2}"}};
      if (fn == "nki.simulate_kernel" && !e->elts.empty()) return simulate_kernel(e);
      if (auto it = calls.find(fn); it != calls.end()) return note(e->span, fn + "(...)", it->second, s->span.line);
      if (fn.rfind("ncc.", 0) == 0 && ++ncc_manual_)
        return note(e->span, fn + "(...)", "nl.ndarray(..., address=(partition, byte)) per tile", s->span.line);
      if (fn.rfind("nisa.", 0) == 0 && fn != "nisa.dma_copy" && isa_results().count(fn.substr(5)))
        return note(e->span, fn + "(...) returning a tile", fn + "(dst, ...) with dst first, no dtype/mask",
                    s->span.line);
      if (const ast::Keyword* k = keyword(e, "mask"))
        return note(k->span, "mask=" + txt(k->value), "slices with clamped bounds, slice(s, min(n, s + 128))",
                    s->span.line);
    } else if (e->kind == ExprKind::Attribute && dotted(e) == "nl.mgrid") {
      note(e->span, "nl.mgrid", "slices, nl.ds, free-dim steps", s->span.line);
    } else if (e->kind == ExprKind::Subscript && e->a->kind == ExprKind::Subscript &&
               e->ctx == ast::ExprContext::Load && e->a->a->kind == ExprKind::Name && tiles_.count(e->a->a->str)) {
      note(e->span, "nested subscript " + txt(e), "one subscript", s->span.line);
    }
  }

  // Every expression in the statement and its nested bodies.
  template <class F>
  void for_each_expr_deep(const Stmt* s, F&& f) {
    for_each_expr(s, f);
    for (const Stmt* b : s->body) for_each_expr_deep(b, f);
    for (const Stmt* b : s->orelse) for_each_expr_deep(b, f);
    for (const Stmt* b : s->finalbody) for_each_expr_deep(b, f);
    for (auto& h : s->handlers)
      for (const Stmt* b : h.body) for_each_expr_deep(b, f);
  }

  // Every expression directly in the statement (not in nested statement bodies).
  template <class F>
  void for_each_expr(const Stmt* s, F&& f) {
    auto v = [&](const Expr* e) {
      if (e) visit(e, f);
    };
    for (const Expr* d : s->decorators) v(d);
    for (const Expr* t : s->targets) v(t);
    v(s->value), v(s->target), v(s->iter), v(s->test), v(s->exc), v(s->msg), v(s->returns);
    for (auto& it : s->items) v(it.context_expr), v(it.optional_vars);
    if (s->args) {
      for (const Expr* d : s->args->defaults) v(d);
      for (const Expr* d : s->args->kw_defaults) v(d);
    }
  }

  template <class F>
  void visit(const Expr* e, F&& f) {
    if (!e) return;
    f(e);
    visit(e->a, f), visit(e->b, f), visit(e->c, f);
    for (const Expr* x : e->elts) visit(x, f);
    for (const Expr* x : e->keys) visit(x, f);
    for (auto& k : e->keywords) visit(k.value, f);
    for (auto& g : e->generators) {
      visit(g.target, f), visit(g.iter, f);
      for (const Expr* x : g.ifs) visit(x, f);
    }
  }
};

}  // namespace

MigrateResult migrate(const std::string& path, const std::string& source) {
  auto src = std::make_shared<const SourceFile>(path, source);
  auto m = parse_module_or_throw(src);
  return Migrator(src).run(*m);
}

std::string render_findings(const std::string& path, const std::vector<MigrateFinding>& findings) {
  std::ostringstream o;
  for (auto& f : findings)
    o << path << ":" << f.line << ":" << f.col << ": " << f.construct << " -> " << f.replacement
      << (f.fixed ? " [fixed]" : " [manual]") << "\n";
  return o.str();
}

}  // namespace nkic::api
