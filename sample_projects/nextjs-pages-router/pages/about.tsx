export default function About() {
  return (
    <>
      <h1>About us</h1>
      <p>
        Bean There started in a garage in Portland in 2019. We roast in small
        batches and ship within 48 hours of roasting.
      </p>
      <p>Questions? Write to hello@beanthere.example.</p>
    </>
  );
}
