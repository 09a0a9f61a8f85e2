# Sparse touching: grow the heap by 32 MiB, store to every k-th page, and plot against
# the touch density 1/k (the fraction of the heap's pages touched):
#   top     time for sbrk + the stores, all three policies, both clocks; the crossover (where
#           lazy and eager cost the same, from analysis/derive.py) is marked per clock:
#           at higher densities eager wins, at lower ones lazy does;
#   bottom  heap pages resident afterwards (memstat): eager holds all 8192, lazy and
#           fault-around only the touched ones (a stride k >= 2 never makes a sequential
#           run). Page counts do not depend on the clock.
# Error bars are the min..max of the runs.
#
#   gnuplot -e "datadir='analysis/data'; outdir='analysis/figures'; numbers='NUMBERS.gp'" \
#           analysis/density.gp
set datafile separator ","
set datafile missing NaN
load numbers        # host_crossover_density, icount_crossover_density, ...
host = datadir."/sbrkbench-host.csv"
icount = datadir."/sbrkbench-icount.csv"

# x: touch density 1/k for the rows of one policy and metric of the sparse workload.
sel(p, m) = strcol(2) eq "sparse" && strcol(3) eq p && strcol(7) eq m ? 1.0 / $4 : NaN

set logscale x
set xrange [1.0/1500:1.5]
set xtics ("1/1024" 1.0/1024, "1/256" 1.0/256, "1/64" 1.0/64, "1/16" 1.0/16, \
           "1/4" 0.25, "1/2" 0.5, "1" 1)
set grid xtics ytics lc rgb "#dddddd"

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000,900 enhanced font "DejaVu Sans,11"
  } else {
    set terminal svg size 1000,900 enhanced font "DejaVu Sans,11" dynamic
  }
  set output outdir."/density.".fmt
  set multiplot layout 2,1 title "Touch density: grow the heap by 32 MiB (8192 pages), store to every k-th page"

  set logscale y
  set format y "10^{%T}"
  set yrange [0.05:5000]
  set ylabel "time of sbrk + stores, median (ms, log scale)"
  set xlabel "touch density: fraction of the heap's pages touched, 1/k (log scale)"
  set key top left box opaque
  unset arrow
  unset label
  set arrow 1 from host_crossover_density, graph 0 to host_crossover_density, graph 1 \
      nohead lc rgb "#2471a3" dt 3 lw 2
  set label 1 sprintf("host clock: eager wins above\ndensity %.2f (k < %.1f)", \
      host_crossover_density, host_crossover_stride) \
      at host_crossover_density, graph 0.93 right offset -0.5,0 font ",9" tc rgb "#2471a3"
  set arrow 2 from icount_crossover_density, graph 0 to icount_crossover_density, graph 1 \
      nohead lc rgb "#17a589" dt 3 lw 2
  set label 2 sprintf("icount: eager wins above\ndensity %.2f (k < %.2f)", \
      icount_crossover_density, icount_crossover_stride) \
      at icount_crossover_density, graph 0.30 right offset -0.5,0 font ",9" tc rgb "#17a589"
  set title "time: lazy pays a fault per touched page, fault-around one per window of a sequential run, eager pays for every page up front" font ",10"
  plot host   using (sel("eager","total_ns")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#c0392b" lw 2 pt 7 ps 0.8 title "eager, host clock", \
       icount using (sel("eager","total_ns")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#e67e22" lw 2 dt 2 pt 5 ps 0.8 title "eager, icount", \
       host   using (sel("lazy","total_ns")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#2471a3" lw 2 pt 7 ps 0.8 title "lazy, host clock", \
       icount using (sel("lazy","total_ns")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#17a589" lw 2 dt 2 pt 5 ps 0.8 title "lazy, icount", \
       host   using (sel("faultaround","total_ns")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#7d3c98" lw 2 pt 9 ps 0.9 title "fault-around, host clock", \
       icount using (sel("faultaround","total_ns")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#c39bd3" lw 2 dt 2 pt 11 ps 0.9 title "fault-around, icount"

  unset arrow
  unset label
  set yrange [4:20000]
  set ylabel "heap pages resident afterwards (log scale)"
  set key top left box opaque
  set title "memory: resident heap pages (memstat), the same on both clocks"
  set label 3 sprintf("at 1/1024 lazy holds %d pages (%.0f KiB)\nagainst eager's %d (%.0f MiB)", \
      sparse_lazy_pages_k1024, sparse_lazy_pages_k1024 * 4, sparse_eager_pages_k1024, \
      sparse_eager_pages_k1024 * 4 / 1024) at 1.0/180, 10 font ",9"
  plot host using (sel("eager","resident_pages")):8 with linespoints lc rgb "#c0392b" \
              lw 2 pt 7 ps 0.8 title "eager", \
       host using (sel("lazy","resident_pages")):8 with linespoints lc rgb "#2471a3" \
              lw 2 pt 7 ps 0.8 title "lazy", \
       host using (sel("faultaround","resident_pages")):8 with linespoints lc rgb "#7d3c98" \
              lw 2 dt 2 pt 9 ps 1.1 title "fault-around (sequential runs only: as lazy here)"
  unset multiplot
  unset output
}
