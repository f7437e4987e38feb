create table orders (id bigint primary key, state varchar(20) not null);
