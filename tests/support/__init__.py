"""What tests and benchmarks share, and no test of its own: the store wiring (`harness`,
`run_dirs`), scripted and fake backends (`scripted`, `fakes/`), frozen clocks and ids
(`clock`), sample projects, planted trees and hostile inputs. Benchmarks import from here.
"""
