// The NkiTensor view methods of NKI 0.5.0 (t.slice, t.select, t.permute, ...): each returns a new access
// pattern on the same storage (no data moves). On chip, dim 0 is the partition dim and stays in place.
#include <algorithm>
#include <cctype>
#include <map>

#include "trace/dynamic.h"
#include "trace/releases.h"
#include "trace/tensor_view.h"

namespace nkic::trace {

namespace {

// A method some release added: an error under an older selected release.
void check_release_feature(Interpreter& in, const std::string& what, Release r, Span s) {
  if (in.launch.release && *in.launch.release < r)
    in.error(s,
             "'" + what + "' is not in NKI " + std::string(name_of(*in.launch.release)) + ": it was added in NKI " +
                 std::string(name_of(r)),
             "select NKI " + std::string(name_of(r)) + " or later (NKIC_NKI_RELEASE, nkic --nki)");
}

struct View {
  Interpreter& in;
  CallArgs& a;
  const std::string& name;
  const std::vector<Param>& ps;
  const TensorObj& t;
  std::vector<Value> v;
  bool on_chip;

  [[noreturn]] void fail(size_t i, const std::string& msg, const std::string& hint = "") {
    in.error(i < ps.size() ? in.arg_span(a, ps, i) : a.call_span, name + "(): " + msg, hint, "validation");
  }
  int64_t ndim() const { return static_cast<int64_t>(t.ap.dims.size()); }
  int64_t integer(size_t i) { return expect_int(in, v[i], in.arg_span(a, ps, i), name + " " + ps[i].name); }
  // A dim argument in [0, n) (negative counts from the end).
  int64_t dim(size_t i, int64_t n) {
    int64_t d = integer(i);
    if (d < 0) d += n;
    if (d < 0 || d >= n)
      fail(i, "dim " + std::to_string(integer(i)) + " is out of range for " + std::to_string(n) + " dims");
    return d;
  }
  void not_partition(size_t i, int64_t d, const char* what) {
    if (on_chip && d == 0) fail(i, std::string("cannot ") + what + " the partition dim (dim 0) of an on-chip tensor");
  }
  Value out(AccessPattern ap) {
    if (ap.dims.empty()) ap.dims.push_back({1, 1});
    auto obj = std::make_shared<TensorObj>();
    obj->ap = std::move(ap);
    obj->indexed = true;
    Value r;
    r.k = VK::Tensor;
    r.o = obj;
    return r;
  }
};

// Free dims [first, n) row-major dense: each stride is the next dim's stride times its size.
bool dense(const std::vector<APDim>& d, size_t first) {
  int64_t expect = 1;
  for (size_t i = d.size(); i-- > first;) {
    if (d[i].num != 1 && d[i].stride != expect) return false;
    expect *= d[i].num;
  }
  return true;
}

// dims[i] and dims[i + 1] merge into one dim.
bool mergeable(const APDim& a, const APDim& b) { return a.num == 1 || b.num == 1 || a.stride == b.stride * b.num; }

std::vector<int64_t> int_list(View& w, size_t i) {
  const Value& x = w.v[i];
  if (x.k != VK::List && x.k != VK::Tuple) w.fail(i, std::string(w.ps[i].name) + " must be a tuple of ints");
  std::vector<int64_t> r;
  for (auto& e : x.as<SeqObj>()->items) r.push_back(expect_int(w.in, e, w.in.arg_span(w.a, w.ps, i), w.ps[i].name));
  return r;
}

Value slice(View& w) {
  int64_t d = w.dim(0, w.ndim()), n = w.t.ap.dims[d].num;
  int64_t start = w.integer(1), end = w.integer(2), step = w.integer(3);
  if (!(0 <= start && start < end && end <= n))
    w.fail(1, "needs 0 <= start < end <= " + std::to_string(n) + ", got start=" + std::to_string(start) +
                  ", end=" + std::to_string(end));
  if (step < 1) w.fail(3, "step must be >= 1, not " + std::to_string(step));
  if (w.on_chip && d == 0 && step != 1) w.fail(3, "the partition dim of an on-chip tensor is sliced with step 1");
  AccessPattern ap = w.t.ap;
  ap.offset += start * ap.dims[d].stride;
  ap.dims[d] = {ap.dims[d].stride * step, (end - start + step - 1) / step};
  return w.out(std::move(ap));
}

// The pattern with dim d removed, made dynamic: its start moves by the runtime `scalar` or `vector`
// offset (a Value, the other None) times dim d's stride (as .ap(..., indirect_dim=d) does).
Value dynamic_view(View& w, AccessPattern ap, int64_t d, const Value& scalar, const Value& vector) {
  Span s = w.in.arg_span(w.a, w.ps, 1), ds = w.in.arg_span(w.a, w.ps, 0);
  Span spans[3] = {s, s, ds};
  auto dyn =
      dynamic_offset(w.in, w.in.program.tensors[w.t.ap.tensor], w.t.ap, ap, scalar, vector, Value::integer(d), spans);
  Value r = w.out(std::move(ap));
  r.as<TensorObj>()->dyn = std::move(dyn);
  return r;
}

// select(dim, index): a static index drops the dim (an on-chip partition dim keeps size 1, as indexing
// does). A (1, 1) int tensor index selects at run time (a scalar_offset along dim; on chip not dim 0);
// the view is then a DMA operand, bounds-checked when it runs.
Value select(View& w) {
  int64_t d = w.dim(0, w.ndim()), n = w.t.ap.dims[d].num;
  if (w.v[1].k == VK::Tensor) {
    w.not_partition(0, d, "select at run time in");
    if (w.ndim() < 2) w.fail(0, "a runtime select needs a tensor of 2 or more dims (the result keeps the others)");
    AccessPattern ap = w.t.ap;
    ap.dims.erase(ap.dims.begin() + d);
    return dynamic_view(w, std::move(ap), d, w.v[1], Value::none());
  }
  int64_t i = w.integer(1);
  if (i < 0 || i >= n)
    w.fail(1, "index " + std::to_string(i) + " is out of range for a dim of size " + std::to_string(n));
  AccessPattern ap = w.t.ap;
  ap.offset += i * ap.dims[d].stride;
  if (w.on_chip && d == 0)
    ap.dims[0].num = 1;
  else
    ap.dims.erase(ap.dims.begin() + d);
  return w.out(std::move(ap));
}

// vector_select(dim, vector_offset): row w of the view is row vector_offset[w] of dim 0 of an HBM
// tensor (the DMA gather / scatter of .ap(vector_offset=)); dim 0 becomes P, the index tile's rows.
Value vector_select(View& w) {
  int64_t d = w.dim(0, w.ndim());
  if (d != 0) w.fail(0, "vector_select supports only dim=0 (got dim " + std::to_string(d) + ")");
  if (w.on_chip)
    w.fail(0, "vector_select indexes rows of an HBM tensor; '" + w.in.program.tensors[w.t.ap.tensor].name + "' is in " +
                  std::string(name_of(w.in.program.tensors[w.t.ap.tensor].mem)));
  if (w.v[1].k != VK::Tensor) w.fail(1, "vector_offset must be a (P, 1) int32 or uint32 SBUF tile");
  const TensorObj& idx = *w.v[1].as<TensorObj>();
  AccessPattern ap = w.t.ap;
  ap.dims[0].num = idx.ap.dims[0].num;
  return dynamic_view(w, std::move(ap), 0, Value::none(), w.v[1]);
}

// indirect(index, num_elem=None) (NKI 0.5.0 tensor indirection, NCv4+): a (P, num_elem) tile whose
// column i is, on each partition, the element at a run-time offset of the view's flattened free dims
// (DynKind::Indirect in ir/program.h). The partition-group size G is the consuming instruction's, so the
// index tile's capacity is checked when an instruction takes the view (Ctx::emit).
Value indirect(View& w) {
  const TensorDecl& decl = w.in.program.tensors[w.t.ap.tensor];
  if (w.in.tgt.nc_version < 4)
    w.fail(0,
           "tensor indirection needs NeuronCore-v4 or later (trn3); the target is " + std::string(w.in.tgt.name) +
               " (NeuronCore-v" + std::to_string(w.in.tgt.nc_version) + ")",
           "set NEURON_PLATFORM_TARGET_OVERRIDE=trn3 (or --target trn3)");
  if (!w.on_chip)
    w.fail(0, "indirect views index the columns of an on-chip (SBUF or PSUM) tensor; '" + decl.name + "' is in HBM",
           "gather rows of an HBM tensor with .vector_select() or .ap(vector_offset=) on a DMA");
  if (w.v[0].k != VK::Tensor)
    w.fail(0, "index must be a uint16 SBUF tile of offsets, not " + std::string(type_name(w.v[0].k)));
  const TensorObj& idx = *w.v[0].as<TensorObj>();
  if (idx.dyn) w.fail(0, "index cannot itself be a dynamic or indirect view");
  const TensorDecl& idecl = w.in.program.tensors[idx.ap.tensor];
  if (idecl.mem != Mem::SBUF) w.fail(0, "index must be in SBUF, not " + std::string(name_of(idecl.mem)));
  if (idx.ap.dtype != DType::UInt16)
    w.fail(0, "index must be uint16 (the engines read 16-bit offsets), not " + std::string(name_of(idx.ap.dtype)));
  if (idx.ap.dims.size() != 2)
    w.fail(0, "index must be a 2-D (partitions, offsets) tile, not " + std::to_string(idx.ap.dims.size()) + "-D");
  int64_t n = w.v[1].is_none() ? w.t.ap.free_elements() : w.integer(1);
  if (n < 1) w.fail(1, "num_elem must be >= 1, not " + std::to_string(n));
  auto dyn = std::make_shared<DynamicOffset>();
  dyn->kind = DynKind::Indirect;
  dyn->index = idx.ap;
  dyn->data = w.t.ap;
  dyn->multiplier = 1;
  AccessPattern ap = w.t.ap;  // the tile's shape; the simulator reads dyn->data
  ap.dims = {w.t.ap.dims[0], {1, n}};
  Value r = w.out(std::move(ap));
  r.as<TensorObj>()->dyn = std::move(dyn);
  return r;
}

Value permute(View& w) {
  std::vector<int64_t> p = int_list(w, 0);
  int64_t n = w.ndim();
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < n; ++i)
    if (static_cast<int64_t>(sorted.size()) != n || sorted[i] != i)
      w.fail(0, "dims must be a permutation of 0.." + std::to_string(n - 1));
  if (w.on_chip && p[0] != 0) w.fail(0, "an on-chip tensor keeps its partition dim first (dims[0] must be 0)");
  AccessPattern ap = w.t.ap;
  for (int64_t i = 0; i < n; ++i) ap.dims[i] = w.t.ap.dims[p[i]];
  return w.out(std::move(ap));
}

Value broadcast(View& w) {
  int64_t d = w.dim(0, w.ndim()), size = w.integer(1);
  w.not_partition(0, d, "broadcast");
  if (w.t.ap.dims[d].num != 1)
    w.fail(0, "only a size-1 dim broadcasts (dim " + std::to_string(d) + " has size " +
                  std::to_string(w.t.ap.dims[d].num) + ")");
  if (size < 1) w.fail(1, "size must be >= 1");
  AccessPattern ap = w.t.ap;
  ap.dims[d] = {0, size};
  return w.out(std::move(ap));
}

Value expand_dim(View& w) {
  int64_t d = w.dim(0, w.ndim() + 1);
  w.not_partition(0, d, "insert a dim before");
  AccessPattern ap = w.t.ap;
  ap.dims.insert(ap.dims.begin() + d, APDim{1, 1});
  return w.out(std::move(ap));
}

Value squeeze_dim(View& w) {
  int64_t d = w.dim(0, w.ndim());
  w.not_partition(0, d, "squeeze");
  if (w.t.ap.dims[d].num != 1)
    w.fail(0, "dim " + std::to_string(d) + " has size " + std::to_string(w.t.ap.dims[d].num) + ", not 1");
  AccessPattern ap = w.t.ap;
  ap.dims.erase(ap.dims.begin() + d);
  return w.out(std::move(ap));
}

// The dims of splitting `dim` into `shape` (one -1 inferred).
std::vector<APDim> split(View& w, size_t arg, const APDim& dim, std::vector<int64_t> shape) {
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (unknown >= 0) w.fail(arg, "at most one size may be -1");
      unknown = static_cast<int64_t>(i);
    } else if (shape[i] < 1) {
      w.fail(arg, "sizes must be positive (or one -1)");
    } else {
      known *= shape[i];
    }
  }
  if (unknown >= 0) {
    if (dim.num % known) w.fail(arg, "cannot split a dim of size " + std::to_string(dim.num));
    shape[unknown] = dim.num / known;
    known = dim.num;
  }
  if (known != dim.num)
    w.fail(arg, "the sizes multiply to " + std::to_string(known) + ", not the dim's size " + std::to_string(dim.num));
  std::vector<APDim> out(shape.size());
  int64_t stride = dim.stride;
  for (size_t i = shape.size(); i-- > 0;) {
    out[i] = {stride, shape[i]};
    stride *= shape[i];
  }
  return out;
}

Value reshape_dim(View& w) {
  int64_t d = w.dim(0, w.ndim());
  std::vector<int64_t> shape = int_list(w, 1);
  if (shape.empty()) w.fail(1, "shape must not be empty");
  if (w.on_chip && d == 0 && shape.size() > 1) w.fail(0, "cannot split the partition dim of an on-chip tensor");
  AccessPattern ap = w.t.ap;
  std::vector<APDim> parts = split(w, 1, ap.dims[d], shape);
  ap.dims.erase(ap.dims.begin() + d);
  ap.dims.insert(ap.dims.begin() + d, parts.begin(), parts.end());
  return w.out(std::move(ap));
}

Value flatten_dims(View& w) {
  int64_t s = w.dim(0, w.ndim()), e = w.dim(1, w.ndim());
  if (e < s) w.fail(1, "end_dim must be >= start_dim");
  if (w.on_chip && s == 0) w.fail(0, "cannot merge the partition dim of an on-chip tensor (start_dim must be > 0)");
  AccessPattern ap = w.t.ap;
  int64_t num = 1;
  for (int64_t i = s; i <= e; ++i) {
    if (i < e && !mergeable(ap.dims[i], ap.dims[i + 1]))
      w.fail(0, "dims " + std::to_string(s) + ".." + std::to_string(e) + " are not contiguous, so they cannot flatten");
    num *= ap.dims[i].num;
  }
  APDim merged{ap.dims[e].stride, num};
  ap.dims.erase(ap.dims.begin() + s, ap.dims.begin() + e + 1);
  ap.dims.insert(ap.dims.begin() + s, merged);
  return w.out(std::move(ap));
}

// einops-style "p (a b) c" -> list of groups of names.
std::vector<std::vector<std::string>> parse_pattern(View& w, size_t i) {
  if (w.v[i].k != VK::Str) w.fail(i, std::string(w.ps[i].name) + " must be a str");
  const std::string& s = w.v[i].as<StrObj>()->s;
  std::vector<std::vector<std::string>> groups;
  bool open = false;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    if (open)
      groups.back().push_back(cur);
    else
      groups.push_back({cur});
    cur.clear();
  };
  for (char ch : s) {
    if (ch == '(') {
      flush();
      if (open) w.fail(i, "nested parentheses in '" + s + "'");
      open = true;
      groups.emplace_back();
    } else if (ch == ')') {
      flush();
      if (!open) w.fail(i, "unbalanced ')' in '" + s + "'");
      open = false;
    } else if (ch == ' ') {
      flush();
    } else if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') {
      cur += ch;
    } else {
      w.fail(i, std::string("unexpected '") + ch + "' in '" + s + "'");
    }
  }
  flush();
  if (open) w.fail(i, "unbalanced '(' in '" + s + "'");
  return groups;
}

Value rearrange(View& w) {
  auto src = parse_pattern(w, 0), dst = parse_pattern(w, 1);
  if (static_cast<int64_t>(src.size()) != w.ndim())
    w.fail(0, "the pattern has " + std::to_string(src.size()) + " dims, the tensor " + std::to_string(w.ndim()));
  std::map<std::string, int64_t> fixed;
  if (!w.v[2].is_none()) {
    if (w.v[2].k != VK::Dict) w.fail(2, "fixed_sizes must be a dict of name: size");
    for (auto& [k, val] : w.v[2].as<DictObj>()->items)
      fixed[k] = expect_int(w.in, val, w.in.arg_span(w.a, w.ps, 2), "fixed_sizes");
  }
  std::map<std::string, APDim> atoms;
  for (size_t g = 0; g < src.size(); ++g) {
    std::vector<int64_t> shape;
    for (auto& n : src[g]) shape.push_back(fixed.count(n) ? fixed[n] : -1);
    auto parts = split(w, 0, w.t.ap.dims[g], shape);
    for (size_t k = 0; k < parts.size(); ++k)
      if (!atoms.emplace(src[g][k], parts[k]).second) w.fail(0, "name '" + src[g][k] + "' appears twice");
  }
  AccessPattern ap = w.t.ap;
  ap.dims.clear();
  size_t used = 0;
  for (auto& g : dst) {
    APDim m{1, 1};
    bool first = true;
    for (auto& n : g) {
      auto it = atoms.find(n);
      if (it == atoms.end()) w.fail(1, "name '" + n + "' is not in src_pattern");
      ++used;
      if (first) {
        m = it->second;
        first = false;
      } else {
        if (!mergeable(m, it->second))
          w.fail(1, "the group (" + n + " ...) is not contiguous in memory, so it cannot merge");
        m = {it->second.stride, m.num * it->second.num};
      }
    }
    ap.dims.push_back(m);
  }
  if (used != atoms.size()) w.fail(1, "dst_pattern must use every name of src_pattern once");
  if (w.on_chip && (ap.dims[0].stride != w.t.ap.dims[0].stride || ap.dims[0].num != w.t.ap.dims[0].num))
    w.fail(1, "an on-chip tensor keeps its partition dim first and whole");
  return w.out(std::move(ap));
}

using Method = Value (*)(View&);
struct MethodRow {
  const char* name;
  std::vector<Param> params;
  Method fn;
  bool on_dynamic;  // allowed on a view with a dynamic offset
};

const std::vector<MethodRow>& methods() {
  static const std::vector<MethodRow> rows = {
      {"slice", {{"dim", true}, {"start", true}, {"end", true}, {"step", false, Value::integer(1)}}, slice, false},
      {"select", {{"dim", true}, {"index", true}}, select, false},
      {"vector_select", {{"dim", true}, {"vector_offset", true}}, vector_select, false},
      {"indirect", {{"index", true}, {"num_elem", false}}, indirect, false},
      {"permute", {{"dims", true}}, permute, false},
      {"broadcast", {{"dim", true}, {"size", true}}, broadcast, false},
      {"expand_dim", {{"dim", true}}, expand_dim, false},
      {"squeeze_dim", {{"dim", true}}, squeeze_dim, false},
      {"reshape_dim", {{"dim", true}, {"shape", true}}, reshape_dim, false},
      {"flatten_dims", {{"start_dim", true}, {"end_dim", true}}, flatten_dims, false},
      {"rearrange", {{"src_pattern", true}, {"dst_pattern", true}, {"fixed_sizes", false}}, rearrange, false},
      {"is_contiguous", {}, [](View& w) { return Value::boolean(dense(w.t.ap.dims, w.on_chip ? 1 : 0)); }, true},
      {"is_indirect",
       {},
       [](View& w) {
         return Value::boolean(w.t.dyn && (w.t.dyn->kind == DynKind::Vector || w.t.dyn->kind == DynKind::Indirect));
       },
       true},
  };
  return rows;
}

}  // namespace

std::optional<Value> tensor_view_method(Interpreter& in, const Value& tv, const std::string& name, Span s) {
  if (name == "reinterpret_cast") {  // the 0.5.0 name of .view(dtype)
    check_release_feature(in, "NkiTensor.reinterpret_cast", Release::V0_5, s);
    return tensor_attribute(in, tv, "view", s);
  }
  const auto& rows = methods();
  auto it = std::find_if(rows.begin(), rows.end(), [&](const MethodRow& r) { return name == r.name; });
  if (it == rows.end()) return std::nullopt;
  check_release_feature(in, "NkiTensor." + name, Release::V0_5, s);
  Value self = tv;
  const MethodRow* row = &*it;
  return make_builtin(name, row->params, [self, row](Interpreter& in, CallArgs& a) -> Value {
    const TensorObj& t = *self.as<TensorObj>();
    std::string n = row->name;
    View w{in, a, n, row->params, t, in.bind(a, n, row->params), in.program.tensors[t.ap.tensor].on_chip()};
    if (t.dyn && t.dyn->kind == DynKind::Indirect && !row->on_dynamic) {
      if (n == "indirect")
        in.error(a.call_span, "indirect(): an indirect view cannot be re-indirected", "", "validation");
      bool dim1 = (n == "slice" || n == "select") && !w.v.empty() && w.v[0].is_int() &&
                  (w.v[0].as_int() == 1 || w.v[0].as_int() == -1);
      in.error(a.call_span,
               dim1 ? n + "(): the indirect dim (dim 1) of an indirect view cannot be sliced or selected"
                    : n + "(): not supported on an indirect view",
               "apply it to the tensor before .indirect(), or pass fewer offsets with num_elem=", "validation");
    }
    if (t.dyn && !row->on_dynamic)
      in.error(a.call_span, n + "(): not supported on a view with a dynamic offset", "apply it before .ap()");
    return row->fn(w);
  });
}

}  // namespace nkic::trace
