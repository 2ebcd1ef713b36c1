// nki._core's tracing front door (NKI 0.7.0): a TraceSession the Python tracer (nki/_tracing.py) drives.
// Python objects become trace::Values here and back; every operation is the C++ interpreter's own (no
// call is validated or lowered in Python). Values Python cannot hold natively come back as handles.
#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/trace_session.h"
#include "tools/nkic/cli.h"

namespace nb = nanobind;
using namespace nkic;

namespace {

using api::TValue;
using K = TValue::Kind;

// An opaque handle on a compiler value (the Python class Traced holds one in its `_v` slot).
struct TracedValue {
  std::shared_ptr<api::Handle> h;
};

// A UserError as the Python exception the kernel would see: nki._errors.from_core picks the class (a Python
// exception raised by compile-time code keeps its class: TypeError, KeyError, ...).
[[noreturn]] void raise_error(const UserError& e) {
  const Diagnostic& d = e.first();
  nb::object filename = d.loc.file ? nb::cast(d.loc.file->path()) : nb::none();
  nb::object lineno = d.loc.span.valid() ? nb::cast(d.loc.span.line) : nb::none();
  nb::object col = d.loc.span.valid() ? nb::cast(d.loc.span.col + 1) : nb::none();
  nb::object exc =
      nb::module_::import_("nki._errors")
          .attr("from_core")(e.kind, api::python_class_of(e), std::string(e.what()), filename, lineno, col);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw nb::python_error();
}

template <class F>
auto guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const UserError& e) {
    raise_error(e);
  } catch (const std::invalid_argument& e) {
    throw nb::value_error(e.what());
  } catch (const std::logic_error& e) {
    throw nb::value_error(e.what());
  }
}

Span span_of(nb::handle t) {
  nb::tuple s = nb::borrow<nb::tuple>(t);
  return {nb::cast<uint32_t>(s[0]), nb::cast<uint32_t>(s[1]), nb::cast<uint32_t>(s[2]), nb::cast<uint32_t>(s[3])};
}

class PySession {
 public:
  PySession(const std::string& path, nb::tuple def, const std::string& kernel, const api::CompileOptions& o,
            nb::object traced_type, nb::object describe, nb::object constant)
      : session_(guard([&] { return std::make_unique<api::TraceSession>(path, span_of(def), kernel, o); })),
        traced_type_(std::move(traced_type)),
        describe_(std::move(describe)),
        constant_(std::move(constant)) {}

  int cores() const { return session_->cores(); }
  void begin_core(int c) {
    guard([&] { session_->begin_core(c); });
  }
  void end_core(nb::handle result) {
    TValue v = to_t(result);
    guard([&] { session_->end_core(v); });
  }
  std::shared_ptr<api::Kernel> finish() {
    return guard([&] { return session_->finish(); });
  }
  nb::object input(const std::string& name, const std::vector<int64_t>& shape, const std::string& dtype) {
    auto dt = dtype_from_name(dtype);
    if (!dt) throw nb::value_error(("unsupported dtype " + dtype).c_str());
    return from_t(guard([&] { return session_->input(name, shape, *dt); }));
  }
  nb::object attr(nb::handle frames, const std::string& dotted) {
    at(frames);
    return from_t(guard([&] { return session_->attr(dotted); }));
  }
  nb::object getattr(nb::handle frames, nb::handle obj, const std::string& name) {
    at(frames);
    TValue o = to_t(obj);
    return from_t(guard([&] { return session_->getattr(o, name); }));
  }
  void setattr(nb::handle frames, nb::handle obj, const std::string& name, nb::handle v) {
    at(frames);
    TValue o = to_t(obj), x = to_t(v);
    guard([&] { session_->setattr(o, name, x); });
  }
  // fn: a handle, or a dotted API name ("nki.isa.nc_matmul"). spans: per positional argument and per
  // keyword ((line, col, end_line, end_col) or None).
  nb::object call(nb::handle frames, nb::handle fn, nb::tuple args, nb::dict kwargs, nb::handle pos_spans,
                  nb::handle kw_spans) {
    at(frames);
    TValue f;
    if (nb::isinstance<nb::str>(fn)) {
      f.kind = K::Path;
      f.s = nb::cast<std::string>(fn);
    } else {
      f = to_t(fn);
    }
    api::TArgs a;
    for (nb::handle x : args) a.push_back(to_t(x));
    api::TKwargs kw;
    for (auto [k, x] : kwargs) kw.push_back({nb::cast<std::string>(k), to_t(x)});
    std::vector<Span> ps = spans(pos_spans), ks = spans(kw_spans);
    return from_t(guard([&] { return session_->call(f, a, kw, ps, ks); }));
  }
  nb::object getitem(nb::handle frames, nb::handle obj, nb::handle key) {
    at(frames);
    TValue o = to_t(obj), k = to_t(key);
    return from_t(guard([&] { return session_->getitem(o, k); }));
  }
  void setitem(nb::handle frames, nb::handle obj, nb::handle key, nb::handle v) {
    at(frames);
    TValue o = to_t(obj), k = to_t(key), x = to_t(v);
    guard([&] { session_->setitem(o, k, x); });
  }
  nb::object binop(nb::handle frames, const std::string& op, nb::handle a, nb::handle b) {
    at(frames);
    TValue x = to_t(a), y = to_t(b);
    return from_t(guard([&] { return session_->binop(op, x, y); }));
  }
  nb::object cmp(nb::handle frames, const std::string& op, nb::handle a, nb::handle b) {
    at(frames);
    TValue x = to_t(a), y = to_t(b);
    return from_t(guard([&] { return session_->cmp(op, x, y); }));
  }
  nb::object unop(nb::handle frames, const std::string& op, nb::handle a) {
    at(frames);
    TValue x = to_t(a);
    return from_t(guard([&] { return session_->unop(op, x); }));
  }
  bool truth(nb::handle frames, nb::handle a) {
    at(frames);
    TValue x = to_t(a);
    return guard([&] { return session_->truth(x); });
  }
  void no_reorder(bool enter) {
    guard([&] { session_->no_reorder(enter); });
  }
  void name_hint(const std::string& name) {
    guard([&] { session_->name_hint(name); });
  }
  void legacy_import(nb::handle frames, const std::string& dotted) {
    at(frames);
    guard([&] { session_->legacy_import(dotted); });
  }
  nb::tuple hardware_for_open(nb::handle frames, nb::handle range) {
    at(frames);
    TValue r = to_t(range);
    int32_t loop = -1;
    TValue iv = guard([&] { return session_->hardware_for_open(r, loop); });
    return nb::make_tuple(from_t(iv), loop);
  }
  void hardware_for_close(nb::handle frames, int32_t loop) {
    at(frames);
    guard([&] { session_->hardware_for_close(loop); });
  }
  int32_t loop_open(nb::handle frames, const std::string& kind) {
    at(frames);
    return guard([&] { return session_->loop_open(kind); });
  }
  void loop_iter(int32_t loop) {
    guard([&] { session_->loop_iter(loop); });
  }
  void loop_close(int32_t loop, const std::string& kind) {
    guard([&] { session_->loop_close(loop, kind); });
  }

  // Python -> TValue.
  TValue to_t(nb::handle h) {
    TValue t;
    if (h.is_none()) return t;
    PyObject* p = h.ptr();
    if (PyBool_Check(p)) {
      t.kind = K::Bool, t.b = p == Py_True;
    } else if (PyLong_CheckExact(p)) {
      t.kind = K::Int, t.i = nb::cast<int64_t>(h);
    } else if (PyFloat_CheckExact(p)) {
      t.kind = K::Float, t.f = nb::cast<double>(h);
    } else if (PyUnicode_CheckExact(p)) {
      t.kind = K::Str, t.s = nb::cast<std::string>(h);
    } else if (h.type().is(traced_type_)) {
      t.kind = K::Handle, t.handle = nb::cast<TracedValue&>(h.attr("_v")).h;
    } else if (PyTuple_Check(p) || PyList_Check(p)) {
      t.kind = PyTuple_Check(p) ? K::Tuple : K::List;
      for (nb::handle x : h) t.items.push_back(to_t(x));
    } else if (PySlice_Check(p)) {
      t.kind = K::Slice;
      for (const char* a : {"start", "stop", "step"}) t.items.push_back(to_t(h.attr(a)));
    } else if (p == Py_Ellipsis) {
      t.kind = K::Ellipsis;
    } else {
      // Python describes the rest: ("path", dotted) for nki constants, ("dtype", name), ("value", plain
      // python value), ("call", callable). It raises TypeError for what no NKI API takes.
      nb::tuple d = nb::borrow<nb::tuple>(describe_(h));
      std::string tag = nb::cast<std::string>(d[0]);
      if (tag == "value") return to_t(d[1]);
      if (tag == "path") {
        t.kind = K::Path, t.s = nb::cast<std::string>(d[1]);
      } else if (tag == "dtype") {
        t.kind = K::DType, t.s = nb::cast<std::string>(d[1]);
      } else if (tag == "dict") {  // ("dict", keys, values)
        t.kind = K::Dict;
        t.keys = nb::cast<std::vector<std::string>>(d[1]);
        for (nb::handle x : d[2]) t.items.push_back(to_t(x));
      } else if (tag == "array") {  // ("array", numpy dtype name, shape, bytes)
        t.kind = K::Array, t.s = nb::cast<std::string>(d[1]);
        t.shape = nb::cast<std::vector<int64_t>>(d[2]);
        nb::bytes b = nb::borrow<nb::bytes>(d[3]);
        const auto* p8 = static_cast<const uint8_t*>(b.data());
        t.data.assign(p8, p8 + b.size());
      } else if (tag == "call") {
        nb::object fn = nb::borrow<nb::object>(d[1]);
        t.kind = K::Callable;
        t.callable = [this, fn](const api::TArgs& a, const api::TKwargs& kw) {
          nb::list args;
          for (const TValue& x : a) args.append(from_t(x));
          nb::dict kws;
          for (auto& [k, x] : kw) kws[k.c_str()] = from_t(x);
          return to_t(fn(*nb::tuple(args), **kws));
        };
      }
    }
    return t;
  }

  // TValue -> Python.
  nb::object from_t(const TValue& t) {
    switch (t.kind) {
      case K::None: return nb::none();
      case K::Bool: return nb::bool_(t.b);
      case K::Int: return nb::int_(t.i);
      case K::Float: return nb::float_(t.f);
      case K::Str: return nb::str(t.s.c_str());
      case K::Tuple:
      case K::List: {
        nb::list out;
        for (const TValue& x : t.items) out.append(from_t(x));
        return t.kind == K::Tuple ? nb::object(nb::tuple(out)) : nb::object(out);
      }
      case K::DType: return constant_("dtype", t.s);
      case K::Dict: {
        nb::dict out;
        for (size_t k = 0; k < t.keys.size(); ++k) out[t.keys[k].c_str()] = from_t(t.items[k]);
        return out;
      }
      case K::Constant: return constant_(t.s, t.name);
      case K::Handle: {
        nb::object o = traced_type_();
        o.attr("_v") = nb::cast(TracedValue{t.handle});
        return o;
      }
      default: throw nb::type_error("the compiler returned a value Python cannot hold");
    }
  }

 private:
  void at(nb::handle frames) {
    std::vector<api::TraceSession::Frame> fs;
    for (nb::handle f : frames) {
      nb::tuple t = nb::borrow<nb::tuple>(f);
      fs.push_back({nb::cast<std::string>(t[0]), Span{nb::cast<uint32_t>(t[1]), nb::cast<uint32_t>(t[2]),
                                                      nb::cast<uint32_t>(t[3]), nb::cast<uint32_t>(t[4])}});
    }
    guard([&] { session_->at(fs); });
  }

  static std::vector<Span> spans(nb::handle list) {
    std::vector<Span> out;
    if (!list.is_none())
      for (nb::handle s : list) out.push_back(s.is_none() ? Span{} : span_of(s));
    return out;
  }

  std::unique_ptr<api::TraceSession> session_;
  nb::object traced_type_, describe_, constant_;
};

}  // namespace

namespace {
// The compile options of a traced kernel: target, grid (0/1/2), rank, world_size, release (or None),
// environ (or None), as nki._core.compile takes them.
api::CompileOptions options_of(nb::dict o) {
  api::CompileOptions opts;
  std::string target = nb::cast<std::string>(o["target"]);
  auto tk = parse_target(target);
  if (!tk) throw nb::value_error(("unknown target '" + target + "' (use trn1, trn2 or trn3)").c_str());
  opts.target = *tk;
  opts.grid = nb::cast<int>(o["grid"]);
  opts.rank = nb::cast<int>(o["rank"]);
  opts.world_size = nb::cast<int>(o["world_size"]);
  if (!o["release"].is_none()) {
    try {
      opts.release = api::parse_release_selection(nb::cast<std::string>(o["release"]), "release");
    } catch (const std::invalid_argument& e) {
      throw nb::value_error(e.what());
    }
  }
  if (!o["environ"].is_none()) opts.host.environment = nb::cast<std::map<std::string, std::string>>(o["environ"]);
  return opts;
}
}  // namespace

namespace {
// A kernel argument as nkic/cli.py's compile hook gets it: ("T", shape, dtype) for tensors, Python values.
nb::object arg_to_python(const ArgValue& a) {
  switch (a.kind) {
    case ArgValue::Kind::Tensor: return nb::make_tuple("T", a.shape, std::string(name_of(a.dtype)));
    case ArgValue::Kind::None: return nb::none();
    case ArgValue::Kind::Bool: return nb::bool_(a.b);
    case ArgValue::Kind::Int: return nb::int_(a.i);
    case ArgValue::Kind::Float: return nb::float_(a.f);
    case ArgValue::Kind::Str: return nb::str(a.s.c_str());
    case ArgValue::Kind::Tuple: {
      nb::list out;
      for (const ArgValue& x : a.items) out.append(arg_to_python(x));
      return nb::tuple(out);
    }
    default: throw nb::type_error("this kernel argument cannot be passed to a traced kernel from the command line");
  }
}
}  // namespace

void bind_tracing(nb::module_& m) {
  m.def(
      "cli_main",
      [](std::vector<std::string> argv, nb::object compile) {
        std::vector<char*> cargs;
        for (auto& a : argv) cargs.push_back(a.data());
        cargs.push_back(nullptr);
        cli::CompileFn fn = [compile](const std::string& path, const std::string&, const std::string& kernel,
                                      const std::vector<KernelArg>& args, const api::CompileOptions& o) {
          nb::list py_args;
          for (const KernelArg& a : args) py_args.append(nb::make_tuple(a.keyword, arg_to_python(a.value)));
          nb::dict opts;
          opts["target"] = std::string(nkic::target(o.target).name);
          opts["grid"] = o.grid;
          opts["rank"] = o.rank;
          opts["world_size"] = o.world_size;
          opts["release"] = o.release ? nb::cast(std::string(api::nki_release_name(o.release))) : nb::none();
          opts["environ"] = nb::none();
          opts["paths"] = o.host.paths;
          try {
            return nb::cast<std::shared_ptr<api::Kernel>>(compile(path, kernel, py_args, opts));
          } catch (nb::python_error& e) {  // a kernel error: as the C++ front door reports it
            if (e.matches(nb::module_::import_("nki._errors").attr("NkiError"))) {
              std::string text = nb::cast<std::string>(nb::str(e.value()));
              nb::module_::import_("sys").attr("stdout").attr("flush")();
              std::cerr << text << (text.empty() || text.back() != '\n' ? "\n" : "");
              throw cli::Reported("kernel error");
            }
            throw;
          }
        };
        return cli::main(static_cast<int>(argv.size()), cargs.data(), fn);
      },
      "nkic's command line (argv[0] is the program name) with the tracing front door's compile: "
      "compile(path, kernel, [(keyword, arg)], options) -> Kernel.");
  m.def(
      "render_at",
      [](nb::list frames, const std::string& message) {
        Diagnostic d;
        d.message = message;
        std::map<std::string, SourceRef> files;
        auto file = [&](const std::string& path) {
          auto& f = files[path];
          if (!f) {
            std::ifstream in(path, std::ios::binary);
            std::ostringstream text;
            if (in) text << in.rdbuf();
            f = std::make_shared<const SourceFile>(path, text.str());
          }
          return f;
        };
        for (size_t i = 0; i < frames.size(); ++i) {
          nb::tuple t = nb::borrow<nb::tuple>(frames[i]);
          Location l{file(nb::cast<std::string>(t[0])), Span{nb::cast<uint32_t>(t[1]), nb::cast<uint32_t>(t[2]),
                                                             nb::cast<uint32_t>(t[3]), nb::cast<uint32_t>(t[4])}};
          if (i + 1 < frames.size())
            d.stack.push_back(l);
          else
            d.loc = l;
        }
        return render(d);
      },
      "The house rendering of an error `message` at the last of `frames` ((file, line, col, end_line, end_col), "
      "outermost first), the others as its call stack.");
  nb::class_<TracedValue>(m, "TracedValue")
      .def("kind", [](const TracedValue& t) { return api::handle_kind(*t.h); })
      .def("nki_class", [](const TracedValue& t) { return api::handle_class(*t.h); });
  nb::class_<PySession>(m, "TraceSession")
      .def("__init__",
           [](PySession* self, const std::string& path, nb::tuple def, const std::string& kernel, nb::dict options,
              nb::object traced_type, nb::object describe, nb::object constant) {
             new (self) PySession(path, def, kernel, options_of(options), std::move(traced_type), std::move(describe),
                                  std::move(constant));
           })
      .def("cores", &PySession::cores)
      .def("begin_core", &PySession::begin_core)
      .def("end_core", &PySession::end_core, nb::arg("result").none())
      .def("finish", &PySession::finish)
      .def("input", &PySession::input)
      .def("attr", &PySession::attr)
      .def("getattr", &PySession::getattr, nb::arg("frames"), nb::arg("obj").none(), nb::arg("name"))
      .def("setattr", &PySession::setattr, nb::arg("frames"), nb::arg("obj").none(), nb::arg("name"),
           nb::arg("value").none())
      .def("call", &PySession::call, nb::arg("frames"), nb::arg("fn"), nb::arg("args"), nb::arg("kwargs"),
           nb::arg("pos_spans").none(), nb::arg("kw_spans").none())
      .def("getitem", &PySession::getitem, nb::arg("frames"), nb::arg("obj").none(), nb::arg("key").none())
      .def("setitem", &PySession::setitem, nb::arg("frames"), nb::arg("obj").none(), nb::arg("key").none(),
           nb::arg("value").none())
      .def("binop", &PySession::binop, nb::arg("frames"), nb::arg("op"), nb::arg("a").none(), nb::arg("b").none())
      .def("cmp", &PySession::cmp, nb::arg("frames"), nb::arg("op"), nb::arg("a").none(), nb::arg("b").none())
      .def("unop", &PySession::unop, nb::arg("frames"), nb::arg("op"), nb::arg("a").none())
      .def("truth", &PySession::truth, nb::arg("frames"), nb::arg("a").none())
      .def("legacy_import", &PySession::legacy_import)
      .def("name_hint", &PySession::name_hint)
      .def("no_reorder", &PySession::no_reorder)
      .def("hardware_for_open", &PySession::hardware_for_open)
      .def("hardware_for_close", &PySession::hardware_for_close)
      .def("loop_open", &PySession::loop_open)
      .def("loop_iter", &PySession::loop_iter)
      .def("loop_close", &PySession::loop_close);
}
