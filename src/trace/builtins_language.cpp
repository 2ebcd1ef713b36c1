// nki.language: dtypes, buffers, operator constants, tile sizes, tensor creation, iterators.
#include <algorithm>
#include "trace/dynamic.h"
#include "trace/loops.h"

#include "target/rules.h"
#include "trace/interpreter.h"
#include "trace/tile_grids.h"

namespace nkic::trace {

Value range_from_args(Interpreter& in, CallArgs& a, const std::string& kind);

namespace {

Value module_value(std::shared_ptr<ModuleObj> m) { return Value::wrap(VK::Module, std::move(m)); }

// address=(partition, byte_offset) of an on-chip tensor: alignment, range and the start-partition rule.
// Overlap with other tensors is checked by the allocate pass, which knows the live ranges.
void check_address(Interpreter& in, CallArgs& a, const std::vector<Param>& ps, const Value& av, Mem mem, DType dt,
                   const std::vector<int64_t>& shape, TensorDecl& d) {
  Span s = in.arg_span(a, ps, 4);
  auto fail = [&](const std::string& msg, const std::string& hint = "") { in.error(s, msg, hint, "validation"); };
  if (mem == Mem::HBM) in.error(s, "address= applies only to SBUF and PSUM tensors");
  if ((av.k != VK::Tuple && av.k != VK::List) || av.as<SeqObj>()->items.size() != 2)
    fail("address must be a (partition, byte_offset) pair of integers");
  const auto& items = av.as<SeqObj>()->items;
  int64_t part = expect_int(in, items[0], s, "address partition");
  int64_t off = expect_int(in, items[1], s, "address byte offset");
  const Target& t = in.tgt;
  int64_t n = shape[0];
  int64_t bytes = d.partition_bytes();
  bool psum = mem == Mem::PSUM;
  int64_t cap = psum ? t.psum_partition_bytes : t.sbuf_usable_bytes;
  std::string where = "address=(" + std::to_string(part) + ", " + std::to_string(off) + ")";
  if (part < 0 || part + n > t.partitions)
    fail(where + ": partitions [" + std::to_string(part) + ", " + std::to_string(part + n) + ") of the " +
         std::to_string(n) + "-partition tensor are outside the " + std::to_string(t.partitions) + " partitions");
  if (off < 0 || off + bytes > cap)
    fail(where + ": bytes [" + std::to_string(off) + ", " + std::to_string(off + bytes) +
         ") per partition are outside the " + std::to_string(cap) + " usable " + (psum ? "PSUM" : "SBUF") +
         " bytes of a partition");
  if (psum && off % t.psum_bank_bytes != 0)
    fail(where + ": a PSUM tensor must start on a bank boundary (a multiple of " + std::to_string(t.psum_bank_bytes) +
         " bytes)");
  if (off % size_of(dt) != 0)
    fail(where + ": the byte offset must be a multiple of the " + std::string(name_of(dt)) + " element size (" +
         std::to_string(size_of(dt)) + " bytes)");
  std::vector<int32_t> legal = legal_start_partitions(n, t.partitions);
  if (std::find(legal.begin(), legal.end(), part) == legal.end()) {
    std::string starts = start_list(legal);
    fail(where + ": a tensor spanning " + std::to_string(n) + " partitions must start at partition " + starts,
         "tensors of 33-64 partitions start at 0 or 64, tensors of up to 32 partitions at 0, 32, 64 or 96");
  }
  d.start_partition = static_cast<int32_t>(part);
  d.byte_offset = off;
  d.user_address = true;
}

// ndarray(shape, dtype, buffer=nl.sbuf, name='', address=None): the tensor declaration rules.
Value create_tensor(Interpreter& in, CallArgs& a, const std::string& fname, std::vector<Value> v,
                    const std::vector<Param>& ps) {
  Span shape_span = in.arg_span(a, ps, 0);
  std::vector<int64_t> shape = expect_shape(in, v[0], shape_span, "shape");
  if (shape.empty()) in.error(shape_span, "a tensor needs at least one dimension");
  // NKI 0.3.0 dtypes are their names (nl.float32 == 'float32'): a name string is a dtype too.
  if (v[1].k == VK::Str)
    if (auto named = dtype_from_name(v[1].as<StrObj>()->s)) v[1] = Value::dtype(*named);
  if (v[1].k != VK::DType)
    in.error(in.arg_span(a, ps, 1),
             "dtype must be an nki.language dtype (e.g. nl.float32), not '" + std::string(type_name(v[1].k)) + "'",
             v[1].k == VK::Str ? "'" + v[1].as<StrObj>()->s + "' names no NKI dtype" : "");
  DType dt = v[1].as_dtype();
  if (v[2].k != VK::Buffer)
    in.error(
        in.arg_span(a, ps, 2), "buffer must be nl.sbuf, nl.psum, nl.hbm, nl.shared_hbm or nl.private_hbm",
        v[2].k == VK::Str ? "strings are not accepted for buffer= in NKI 0.3.0; use nl." + v[2].as<StrObj>()->s : "");
  Mem mem = mem_of(v[2].as_buffer());
  std::string name = v[3].k == VK::Str ? v[3].as<StrObj>()->s : "";
  if (name.empty()) name = in.take_name_hint();
  if (mem != Mem::HBM) {
    const Target& t = in.tgt;
    if (shape[0] > t.partitions)
      in.error(
          shape_span,
          "partition dimension " + std::to_string(shape[0]) + " exceeds the maximum of " + std::to_string(t.partitions),
          "split the first dimension into tiles of nl.tile_size.pmax (" + std::to_string(t.partitions) + ")",
          "validation");
    int64_t free = 1;
    for (size_t i = 1; i < shape.size(); ++i) free *= shape[i];
    int64_t bytes = free * size_of(dt);
    int64_t cap = mem == Mem::PSUM ? t.psum_partition_bytes : t.sbuf_usable_bytes;
    if (bytes > cap)
      in.error(shape_span,
               std::string(mem == Mem::PSUM ? "PSUM" : "SBUF") + " tensor needs " + std::to_string(bytes) +
                   " bytes per partition, more than the " + std::to_string(cap) + " available",
               "tile the free dimensions", "validation");
  }
  {  // The total size must stay within int64 (the free size per partition is checked above for on-chip).
    int64_t total = size_of(dt);
    for (int64_t d : shape)
      if (__builtin_mul_overflow(total, d, &total))
        in.error(shape_span, "tensor size exceeds the 64-bit range nkic supports", "", "validation");
  }
  Value out = in.new_tensor(name, mem, dt, shape, a.call_span);
  if (v[2].as_buffer() == BufferKind::PrivateHBM) in.program.tensors[out.as<TensorObj>()->ap.tensor].private_hbm = true;
  if (!v[4].is_none())
    check_address(in, a, ps, v[4], mem, dt, shape, in.program.tensors[out.as<TensorObj>()->ap.tensor]);
  (void)fname;
  return out;
}

}  // namespace

Value emit_memset(Interpreter& in, const Value& dst, double value, Span s);
void add_language_ops(ModuleObj& nl);
void add_constants(ModuleObj& nl);  // constants.cpp: shared_constant, shared_identity_matrix
Value make_object_class(const std::string& name);

Value make_language_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.language";
#define X(e, n, b, f, sgn) m->ns[n] = Value::dtype(DType::e);
  NKIC_DTYPES(X)
#undef X
  m->ns["bool_"] = Value::dtype(DType::Bool);
  m->ns["sbuf"] = Value::buffer(BufferKind::SBUF);
  m->ns["psum"] = Value::buffer(BufferKind::PSUM);
  m->ns["hbm"] = Value::buffer(BufferKind::HBM);
  m->ns["private_hbm"] = Value::buffer(BufferKind::PrivateHBM);
  m->ns["shared_hbm"] = Value::buffer(BufferKind::SharedHBM);
#define X(e, n) m->ns[n] = Value::op(AluOp::e);
  NKIC_ALU_OPS(X)
#undef X
  m->ns["max"] = Value::op(AluOp::Maximum);
  m->ns["min"] = Value::op(AluOp::Minimum);

  auto ts = std::make_shared<ModuleObj>();
  ts->name = "nki.language.tile_size";
  m->ns["tile_size"] = module_value(ts);  // filled per target by the specializer

  static const std::vector<Param> ndarray_params = {{"shape", true},
                                                    {"dtype", true},
                                                    {"buffer", false, Value::buffer(BufferKind::SBUF)},
                                                    {"name", false, Value::str("")},
                                                    {"address", false}};
  m->ns["ndarray"] = make_builtin("nki.language.ndarray", ndarray_params, [](Interpreter& in, CallArgs& a) {
    auto v = in.bind(a, "ndarray", ndarray_params);
    return create_tensor(in, a, "ndarray", v, ndarray_params);
  });
  static const std::vector<Param> fill_params = {{"shape", true},
                                                 {"dtype", true},
                                                 {"buffer", false, Value::buffer(BufferKind::SBUF)},
                                                 {"name", false, Value::str("")}};
  for (auto [name, fill] : {std::pair<const char*, double>{"zeros", 0.0}, {"ones", 1.0}}) {
    double f = fill;
    std::string n = name;
    m->ns[name] = make_builtin("nki.language." + n, fill_params, [f, n](Interpreter& in, CallArgs& a) {
      auto v = in.bind(a, n, fill_params);
      v.push_back(Value::none());
      Value t = create_tensor(in, a, n, v, ndarray_params);
      emit_memset(in, t, f, a.call_span);
      return t;
    });
  }
  // full / zeros_like / empty_like: declaration plus (for full and zeros_like) a memset.
  static const std::vector<Param> full_params = {{"shape", true},
                                                 {"fill_value", true},
                                                 {"dtype", true},
                                                 {"buffer", false, Value::buffer(BufferKind::SBUF)},
                                                 {"name", false, Value::str("")}};
  m->ns["full"] = make_builtin("nki.language.full", full_params, [](Interpreter& in, CallArgs& a) {
    const auto& ps = full_params;
    auto v = in.bind(a, "full", ps);
    if (!v[1].is_number()) in.error(in.arg_span(a, ps, 1), "fill_value must be a number");
    std::vector<Value> decl = {v[0], v[2], v[3], v[4], Value::none()};
    Value t = create_tensor(in, a, "full", decl, ndarray_params);
    emit_memset(in, t, v[1].as_float(), a.call_span);
    return t;
  });
  static const std::vector<Param> like_params = {
      {"x", true}, {"dtype", false}, {"buffer", false}, {"name", false, Value::str("")}};
  for (const char* name : {"zeros_like", "empty_like"}) {
    std::string n = name;
    m->ns[name] = make_builtin("nki.language." + n, like_params, [n](Interpreter& in, CallArgs& a) {
      const auto& ps = like_params;
      auto v = in.bind(a, n, ps);
      TensorObj* x = expect_tensor(in, v[0], in.arg_span(a, ps, 0), n + " x");
      std::vector<Value> dims;
      for (auto d : x->shape()) dims.push_back(Value::integer(d));
      const TensorDecl& xd = in.program.tensors[x->ap.tensor];
      Value buffer = !v[2].is_none()     ? v[2]
                     : n == "zeros_like" ? Value::buffer(BufferKind::SBUF)
                                         : Value::buffer(xd.mem == Mem::PSUM   ? BufferKind::PSUM
                                                         : xd.mem == Mem::SBUF ? BufferKind::SBUF
                                                                               : BufferKind::SharedHBM);
      std::vector<Value> decl = {Value::tuple(dims), v[1].is_none() ? Value::dtype(x->ap.dtype) : v[1], buffer, v[3],
                                 Value::none()};
      Value t = create_tensor(in, a, n, decl, ndarray_params);
      if (n == "zeros_like") emit_memset(in, t, 0.0, a.call_span);
      return t;
    });
  }
  // Python's range(start, stop=None, step=1) rules (range_from_args binds them, positionally or by keyword).
  static const std::vector<Param> range_params = {{"start", true}, {"stop", false}, {"step", false, Value::integer(1)}};
  for (const char* kind : {"affine_range", "sequential_range", "static_range", "range"}) {
    std::string k = kind;
    m->ns[kind] = make_builtin("nki.language." + k, range_params,
                               [k](Interpreter& in, CallArgs& a) { return range_from_args(in, a, k); });
  }
  static const std::vector<Param> ds_params = {{"start", true}, {"size", true}};
  m->ns["ds"] = make_builtin("nki.language.ds", ds_params, [](Interpreter& in, CallArgs& a) {
    const auto& ps = ds_params;
    auto v = in.bind(a, "ds", ps);
    int64_t start = expect_int(in, v[0], in.arg_span(a, ps, 0), "ds start");
    int64_t size = expect_int(in, v[1], in.arg_span(a, ps, 1), "ds size");
    if (size <= 0) in.error(in.arg_span(a, ps, 1), "ds size must be positive");
    auto sl = std::make_shared<SliceObj>();
    sl->start = Value::integer(start);
    sl->stop = Value::integer(start + size);
    return Value::wrap(VK::Slice, sl);
  });
  // The program of the launch grid being specialized (Interpreter::launch); the axis arguments are bound.
  static const std::vector<Param> program_id_params = {{"axis", false, Value::integer(0)}};
  m->ns["program_id"] = make_builtin("nki.language.program_id", program_id_params, [](Interpreter& in, CallArgs& a) {
    std::vector<Value> v = in.bind(a, "program_id", program_id_params);
    if (!in.launch.spmd.empty()) {  // a serial SPMD grid: one id per grid axis
      int64_t axis = v[0].k == VK::Int ? v[0].as_int() : -1;
      if (axis < 0 || axis >= static_cast<int64_t>(in.launch.spmd.size()))
        in.error(a.call_span, "nl.program_id: axis must be an int from 0 to " +
                                  std::to_string(in.launch.spmd.size() - 1) + " (the launch grid has " +
                                  std::to_string(in.launch.spmd.size()) + " dimensions)");
      return Value::integer(in.launch.spmd_id[static_cast<size_t>(axis)]);
    }
    return Value::integer(in.launch.program_id);
  });
  static const std::vector<Param> num_programs_params = {{"axes", false, Value::integer(0)}};
  m->ns["num_programs"] =
      make_builtin("nki.language.num_programs", num_programs_params, [](Interpreter& in, CallArgs& a) {
        bool given = !a.pos.empty() || !a.kw.empty();
        std::vector<Value> v = in.bind(a, "num_programs", num_programs_params);
        if (!in.launch.spmd.empty()) {  // the programs along the given axes, or all of them (Beta 1: axes=None)
          std::vector<Value> axes = !given                                      ? std::vector<Value>{}
                                    : v[0].k == VK::Tuple || v[0].k == VK::List ? v[0].as<SeqObj>()->items
                                    : v[0].k == VK::Int                         ? std::vector<Value>{v[0]}
                                                                                : std::vector<Value>{};
          if (axes.empty())
            for (size_t d = 0; d < in.launch.spmd.size(); ++d) axes.push_back(Value::integer(static_cast<int64_t>(d)));
          int64_t n = 1;
          for (const Value& x : axes) {
            int64_t d = x.k == VK::Int ? x.as_int() : -1;
            if (d < 0 || d >= static_cast<int64_t>(in.launch.spmd.size()))
              in.error(a.call_span, "nl.num_programs: no grid axis " + repr(x));
            n *= in.launch.spmd[static_cast<size_t>(d)];
          }
          return Value::integer(n);
        }
        return Value::integer(in.launch.num_programs);
      });
  m->ns["program_ndim"] = make_builtin("nki.language.program_ndim", {}, [](Interpreter& in, CallArgs& a) {
    in.bind(a, "program_ndim", {});
    return Value::integer(in.launch.spmd.empty() ? in.launch.ndim : static_cast<int64_t>(in.launch.spmd.size()));
  });
  m->ns["no_reorder"] = make_builtin("nki.language.no_reorder", {}, [](Interpreter& in, CallArgs& a) {
    in.bind(a, "no_reorder", {});
    auto e = std::make_shared<EnumObj>();  // a marker for `with`: dynamic loops cannot nest inside
    e->cls = "no_reorder";
    e->name = "no_reorder";
    return Value::wrap(VK::Enum, e);
  });
  add_dynamic_range(*m);
  add_structured_loops(*m);              // nl.fori_loop, nl.while_loop (0.6.0)
  add_tile_grids(*m, m->ns["ndarray"]);  // nl.tiles, nl.blocks, nl.alloc_tiles, nl.alloc_blocks (0.7.0)
  m->ns["NKIObject"] = make_object_class("NKIObject");
  add_language_ops(*m);
  add_constants(*m);
  // 0.3.0 names nkic does not implement yet: a clear error at the call instead of "no attribute".
  static const std::vector<Param> device_print_params = {{"print_prefix", true}, {"tensor", true}};
  m->ns["device_print"] =
      make_builtin("nki.language.device_print", device_print_params, [](Interpreter& in, CallArgs& a) {
        const auto& ps = device_print_params;
        auto v = in.bind(a, "device_print", ps);
        if (v[0].k != VK::Str)
          in.error(in.arg_span(a, ps, 0), "device_print: print_prefix must be a compile-time string");
        TensorObj* t = expect_tensor(in, v[1], in.arg_span(a, ps, 1), "device_print tensor");
        if (in.program.tensors[t->ap.tensor].mem == Mem::PSUM)
          in.error(in.arg_span(a, ps, 1), "device_print: the tensor must be in SBUF or HBM, not PSUM",
                   "copy it to SBUF with nisa.tensor_copy first", "validation");
        Instruction ins;
        ins.op = Opcode::DevicePrint;
        ins.engine = default_engine(Opcode::DevicePrint);
        ins.present = 1;
        in.program.strings.push_back(v[0].as<StrObj>()->s);
        ins.i0 = static_cast<int32_t>(in.program.strings.size() - 1);
        ins.loc = in.loc_here(a.call_span);
        in.program.emit(ins, {t->ap});
        return Value::none();
      });
  for (const char* n : {"dynamic_range", "device_print", "gather_flattened"}) {
    if (m->ns.count(n)) continue;
    std::string name = n;
    m->ns[n] = make_builtin("nki.language." + name, [name](Interpreter& in, CallArgs& a) -> Value {
      in.error(a.call_span, "nl." + name + " is not supported by nkic yet");
    });
  }
  return module_value(m);
}

Value make_nki_module(const Value& language, const Value& isa) {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki";
  m->ns["language"] = language;
  m->ns["isa"] = isa;
  m->ns["jit"] = make_builtin("nki.jit", [](Interpreter& in, CallArgs& a) -> Value {
    if (a.pos.size() == 1 && a.pos[0].k == VK::Function) return a.pos[0];
    if (a.pos.empty()) return in.builtin_module("nki").as<ModuleObj>()->ns["jit"];  // @nki.jit(...)
    in.error(a.call_span, "nki.jit is only supported as a decorator of the kernel");
  });
  return module_value(m);
}

}  // namespace nkic::trace
